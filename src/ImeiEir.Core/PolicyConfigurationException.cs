namespace ImeiEir.Core;

/// <summary>Thrown by <see cref="DecisionPolicy.Create"/> when <see cref="PolicyOptions.Validate"/> finds problems.</summary>
public sealed class PolicyConfigurationException : Exception
{
    public PolicyConfigurationException(string key, string message, IReadOnlyList<string> problems)
        : base($"{key}: {message}")
    {
        Key = key;
        Problems = problems;
    }

    /// <summary>The configuration key of the first problem, e.g. "Policy:HomeNetworks[1]".</summary>
    public string Key { get; }

    /// <summary>Every problem, as <see cref="PolicyOptions.Validate"/> lists them; the message is the first.</summary>
    public IReadOnlyList<string> Problems { get; }
}
