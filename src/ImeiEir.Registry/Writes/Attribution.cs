using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// Who made a write and why: every change of one write batch shares it. <see cref="Actor"/> is a credential's name,
/// <c>admin</c> or <c>reader</c> for the generated default tokens, a node's name for sightings, <c>lifecycle</c> for
/// grey expiry; <see cref="Comment"/> is the push's <c>ImeiEir-Comment</c>, or null.
/// </summary>
internal readonly record struct Attribution(string Actor, string? Comment)
{
    /// <summary>Longest actor kept, in UTF-8 bytes (longer is cut).</summary>
    public const int MaxActorBytes = 255;

    /// <summary>Longest comment accepted, in characters.</summary>
    public const int MaxCommentLength = 500;

    /// <summary>The actor of the registry's own grey expiry.</summary>
    public static readonly Attribution Lifecycle = new("lifecycle", null);

    /// <summary>
    /// What history shows for a change written before attributions were recorded (or whose record was lost): the
    /// kind of writer its origin names, and no comment.
    /// </summary>
    public static Attribution Unrecorded(ChangeOrigin origin) => origin switch
    {
        ChangeOrigin.Admin => new("admin", null),
        ChangeOrigin.Lifecycle => Lifecycle,
        _ => new("node", null),
    };
}
