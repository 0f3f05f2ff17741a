namespace ImeiEir.Node.Observability;

/// <summary>The interfaces a node answers on, as the metrics label them.</summary>
internal enum AnswerInterface
{
    /// <summary>Diameter S13 (4G MME / SGSN).</summary>
    S13 = 0,

    /// <summary>HTTP N5g-eir (5G AMF).</summary>
    N5g = 1,

    /// <summary>HTTP check before purchase.</summary>
    Lookup = 2,
}
