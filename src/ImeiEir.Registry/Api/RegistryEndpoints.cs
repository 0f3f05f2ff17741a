using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ImeiEir.Registry;

/// <summary>
/// The registry HTTP API (minimal APIs), one endpoint per file. Every error is <c>application/problem+json</c>
/// with a <c>detail</c> sentence; tokens are never echoed.
/// <code>
/// POST /v1/deltas[?partial=true]  admin    text/csv | application/x-ndjson → 200 report | 400 | 401 | 413 | 415 | 422 | 503
///                                          [Idempotency-Key: a repeat → 200 the original report, nothing written]
/// GET  /v1/imei/{imei}            reader   → 200 record + history | 400 | 401 | 404
/// GET  /v1/feed?after=SEQ         node     → 200 endless stream (FeedFormat; NDJSON on Accept) | 400 | 401 | 409
/// GET  /v1/snapshot               node     → 200 SnapshotFormat | 401
/// POST /v1/sightings              sighting SightingCodec records → 200 counts | 400 | 401 | 413 | 415 | 503
/// GET  /v1/status                 reader   → 200 sequence, generation, records, digest | 401
/// GET  /v1/backup                 admin    → 200 BackupFormat (the log up to the sequence in ImeiEir-Backup-Sequence) | 401
/// POST /v1/legacy[?comment=TEXT]  admin    text/csv imei,first_seen[,imsi] → 200 counts + reported lines | 400 | 401 | 413 | 503
/// POST /v1/grace/extend           admin    application/json selection, until → 200 counts | 400 | 401 | 413 | 503
/// PUT  /v1/tac                    admin    TAC file (CSV) → 200 version | 401 | 413 | 422 (bad lines; nothing stored)
/// GET  /v1/tac                    node     → 200 TAC document with ETag | 304 | 401 | 404
/// GET  /v1/clones[?limit&amp;after]    reader   → 200 suspected clones, their IMSIs, next page | 400 | 401 | 503
/// GET  /v1/whoami                 any      → 200 {"name", "role"} of the caller's token | 401
/// GET  /v1/overview               reader   → 200 records per list, changes per day, sightings, grey expiring, clones, followers | 401 | 503
/// </code>
/// admin: the admin token or an admin credential (either may do everything). reader: those, the reader token or a
/// reader credential. node: those or a node credential. sighting: admin, the reader token or a node credential. See
/// <see cref="ApiAccess"/>. Tokens: <c>Authorization: Bearer &lt;token&gt;</c>. A push's <c>ImeiEir-Comment</c>
/// header (<see cref="PushComment"/>) is recorded with its changes.
/// </summary>
public static class RegistryEndpoints
{
    /// <summary>Most sightings one request may carry (a node sends at most Sightings:BatchSize, itself at most this).</summary>
    public const int MaxSightingsPerRequest = 100_000;

    /// <summary>
    /// Maps the registry API. Handlers resolve the singleton <see cref="RegistryService"/> from the request's
    /// services; its <see cref="RegistryService.Options"/> are the options in force.
    /// </summary>
    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/deltas", PostDeltasEndpoint.HandleAsync);
        endpoints.MapGet("/v1/imei/{imei}", GetImeiEndpoint.HandleAsync);
        endpoints.MapGet("/v1/feed", GetFeedEndpoint.HandleAsync);
        endpoints.MapGet("/v1/snapshot", GetSnapshotEndpoint.HandleAsync);
        endpoints.MapPost("/v1/sightings", PostSightingsEndpoint.HandleAsync);
        endpoints.MapGet("/v1/status", GetStatusEndpoint.HandleAsync);
        endpoints.MapGet("/v1/backup", GetBackupEndpoint.HandleAsync);
        endpoints.MapPost("/v1/legacy", PostLegacyEndpoint.HandleAsync);
        endpoints.MapPost("/v1/grace/extend", PostGraceExtensionEndpoint.HandleAsync);
        endpoints.MapPut("/v1/tac", PutTacEndpoint.HandleAsync);
        endpoints.MapGet("/v1/tac", GetTacEndpoint.HandleAsync);
        endpoints.MapGet("/v1/clones", GetClonesEndpoint.HandleAsync);
        endpoints.MapGet("/v1/whoami", GetWhoAmIEndpoint.HandleAsync);
        endpoints.MapGet("/v1/overview", GetOverviewEndpoint.HandleAsync);
        return endpoints;
    }

    /// <summary>
    /// True when the request carries the registry's admin token: for other APIs on the registry's admin port (the
    /// notifier's), so one token guards everything there.
    /// </summary>
    public static bool HasAdminToken(HttpContext context, RegistryService registry)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(registry);
        return ApiAccess.IsAuthorized(context, registry, ApiRight.Write);
    }
}
