using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Registry;

/// <summary>What <c>GET /v1/status</c> reports: the registry's position, history and a fingerprint of its state.</summary>
/// <param name="Sequence">The last durable change when the view was scanned.</param>
/// <param name="Generation">The registry's generation.</param>
/// <param name="Digest">
/// The live records' <see cref="StateDigest"/>: the same fingerprint a node's <c>/v1/digest</c> gives for the same
/// state (the same code over the same records).
/// </param>
/// <param name="Consistent">
/// True when no write happened during the scan, so <paramref name="Digest"/> is exactly the state at
/// <paramref name="Sequence"/>; false when writes kept coming through every attempt (it then also holds some later changes).
/// </param>
public sealed record RegistryStatus(ulong Sequence, RegistryGeneration Generation, StateDigest Digest, bool Consistent);
