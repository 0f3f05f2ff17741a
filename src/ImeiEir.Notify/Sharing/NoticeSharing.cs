using NATS.Client.Core;

namespace ImeiEir.Notify.Sharing;

/// <summary>
/// How the outbox is shared by several registry processes (JetStream mode; docs/ARCHITECTURE.md, "Notices"): the
/// notices live in the key-value bucket <paramref name="Bucket"/> on <paramref name="Connection"/>, every process keeps
/// its journal as a replica, and only the holder of <paramref name="Lease"/> sends. A notice another holder left
/// Sending is resent only when no delivery report saying Kannel took it came within <paramref name="DlrWait"/>.
/// </summary>
/// <param name="Connection">Owned by the caller (disposed after the notifier).</param>
/// <param name="Bucket">The bucket's name, e.g. <c>IMEIEIR_CHANGES_NOTICES</c>.</param>
/// <param name="Replicas">Copies of the bucket kept by the NATS servers.</param>
/// <param name="Lease">The sender's lease.</param>
/// <param name="DlrWait">How long a new holder waits for the report of a notice its predecessor was sending.</param>
public sealed record NoticeSharing(INatsConnection Connection, string Bucket, int Replicas, INotifierLease Lease, TimeSpan DlrWait);
