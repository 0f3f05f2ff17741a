namespace ImeiEir.Registry;

/// <summary>
/// A <c>Registry:RestoreFrom</c> refused before anything was written (the change stream holds changes, the backup
/// cannot be a stream's), or stopped by another writer: the host prints the message as one line and exits.
/// </summary>
public sealed class RestoreRefusedException : Exception
{
    internal RestoreRefusedException(string message) : base(message)
    {
    }
}
