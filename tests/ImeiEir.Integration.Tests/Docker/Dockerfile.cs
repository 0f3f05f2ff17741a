namespace ImeiEir.Integration.Tests.Docker;

/// <summary>One instruction of a Dockerfile: its keyword (upper case) and the rest of its line, continuations joined.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Line);

/// <summary>
/// A Dockerfile read into its stages (each starts at a FROM), enough of the format for a test to replay a build stage:
/// comment lines are dropped, a line ending in a backslash continues on the next (https://docs.docker.com/reference/dockerfile/#format).
/// </summary>
internal sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<IReadOnlyList<DockerInstruction>> stages) => Stages = stages;

    /// <summary>The stages in order; each list starts with its FROM.</summary>
    public IReadOnlyList<IReadOnlyList<DockerInstruction>> Stages { get; }

    public static Dockerfile Parse(string text)
    {
        var stages = new List<List<DockerInstruction>>();
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int first = i + 1;
            var joined = new System.Text.StringBuilder();
            while (line.EndsWith('\\'))
            {
                joined.Append(line[..^1]).Append(' ');
                // Comment lines inside a continued instruction are dropped too.
                do i++; while (i < lines.Length && lines[i].TrimStart().StartsWith('#'));
                line = i < lines.Length ? lines[i].Trim() : "";
            }
            joined.Append(line);
            string instruction = joined.ToString().Trim();
            int space = instruction.IndexOfAny([' ', '\t']);
            string keyword = (space < 0 ? instruction : instruction[..space]).ToUpperInvariant();
            string arguments = space < 0 ? "" : instruction[(space + 1)..].Trim();
            if (keyword == "FROM") stages.Add([]);
            if (stages.Count == 0) continue; // ARG before the first FROM: not part of any stage
            stages[^1].Add(new DockerInstruction(keyword, arguments, first));
        }
        return new Dockerfile(stages);
    }

    /// <summary>The stage named <paramref name="name"/> (<c>FROM image AS name</c>).</summary>
    public IReadOnlyList<DockerInstruction> Stage(string name) =>
        Stages.FirstOrDefault(s => s[0].Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [.., var asWord, var n]
                                   && asWord.Equals("AS", StringComparison.OrdinalIgnoreCase) && n == name)
        ?? throw new InvalidOperationException($"the Dockerfile has no stage named {name}");
}
