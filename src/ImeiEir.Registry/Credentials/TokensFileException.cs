namespace ImeiEir.Registry;

/// <summary>The named credentials file is malformed at start-up; the message names the file and the line.</summary>
public sealed class TokensFileException(string message, Exception inner) : Exception(message, inner);
