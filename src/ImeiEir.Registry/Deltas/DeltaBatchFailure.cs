namespace ImeiEir.Registry;

/// <summary>A whole-body problem: the kind (which picks the HTTP status) and a sentence for the admin.</summary>
public sealed record DeltaBatchFailure(DeltaFailureKind Kind, string Detail);
