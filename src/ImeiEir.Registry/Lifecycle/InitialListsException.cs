namespace ImeiEir.Registry;

/// <summary>The initial lists had bad lines; start-up stops and prints each one.</summary>
public sealed class InitialListsException : Exception
{
    internal InitialListsException(string source, IReadOnlyList<string> errors)
        : base($"{source}: {errors.Count} problem(s); nothing was loaded") => Errors = errors;

    /// <summary>One line per problem: <c>source:line: reason</c>, or <c>source: detail</c> for the file as a whole.</summary>
    public IReadOnlyList<string> Errors { get; }
}
