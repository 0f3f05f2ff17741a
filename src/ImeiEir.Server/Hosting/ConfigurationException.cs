namespace ImeiEir.Server.Hosting;

/// <summary>Bad configuration: the message is one line that names the key, printed as the process exits with code 2.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
