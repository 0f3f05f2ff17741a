namespace ImeiEir.Notify.Subscribers;

/// <summary>A line of an import that was refused, and why.</summary>
/// <param name="Line">1-based line number in the file.</param>
/// <param name="Reason">One sentence naming the field and the problem.</param>
public readonly record struct SubscriberImportError(int Line, string Reason);
