namespace ImeiEir.AdminConsole;

/// <summary>One file of the console as it is served: its bytes (read once from the assembly) and its media type.</summary>
internal sealed record ConsoleAsset(string Name, byte[] Content, string ContentType);
