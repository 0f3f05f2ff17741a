namespace ImeiEir.Node.Http;

/// <summary>TS 29.511 EirResponseData.</summary>
internal sealed record EirResponseData(string Status);
