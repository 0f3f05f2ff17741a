namespace ImeiEir.Integration.Tests.Docker;

/// <summary>
/// Replays a Dockerfile build stage without a container engine: the stage's file system is a scratch directory
/// (container path /x is <c>{root}/x</c>), COPY copies from the build context what Docker would (the .dockerignore
/// respected), WORKDIR moves, and RUN runs each <c>dotnet</c> command of its <c>&amp;&amp;</c> chain with the local SDK,
/// container paths translated. Anything else in the stage fails the replay by name, so a Dockerfile change this
/// cannot follow is noticed rather than skipped.
/// </summary>
internal sealed class BuildStageReplay(string contextRoot, string root, TimeSpan commandTimeout)
{
    private readonly DockerIgnore _ignore = DockerIgnore.Load(contextRoot);
    private readonly System.Text.StringBuilder _transcript = new();
    private string _workdir = "/";

    /// <summary>What was copied and run, with every command's output, for a failure message.</summary>
    public string Transcript => _transcript.ToString();

    /// <summary>The host path of container path <paramref name="containerPath"/>.</summary>
    public string HostPath(string containerPath) =>
        Path.Join(root, containerPath.StartsWith('/') ? containerPath : $"{_workdir.TrimEnd('/')}/{containerPath}");

    /// <summary>Replays every instruction; returns false at the first RUN command that fails (the transcript says which).</summary>
    public bool Run(IReadOnlyList<DockerInstruction> stage)
    {
        foreach (DockerInstruction instruction in stage)
        {
            _transcript.Append($"# line {instruction.Line}: {instruction.Keyword} {instruction.Arguments}\n");
            switch (instruction.Keyword)
            {
                case "FROM":
                    break;
                case "WORKDIR":
                    _workdir = instruction.Arguments.StartsWith('/') ? instruction.Arguments : $"{_workdir.TrimEnd('/')}/{instruction.Arguments}";
                    Directory.CreateDirectory(HostPath(_workdir));
                    break;
                case "COPY":
                    Copy(instruction);
                    break;
                case "RUN":
                    if (!RunCommands(instruction)) return false;
                    break;
                default:
                    throw new NotSupportedException($"Dockerfile line {instruction.Line}: {instruction.Keyword} in the build stage is not replayed by this test; teach BuildStageReplay");
            }
        }
        return true;
    }

    private void Copy(DockerInstruction instruction)
    {
        string[] words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 0 && words[0].StartsWith('['))
            throw new NotSupportedException($"Dockerfile line {instruction.Line}: COPY in JSON form is not replayed by this test; teach BuildStageReplay");
        string[] flags = words.TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToArray();
        if (flags.FirstOrDefault(f => !f.StartsWith("--chown=", StringComparison.Ordinal) && !f.StartsWith("--chmod=", StringComparison.Ordinal) && f != "--link") is { } flag)
            throw new NotSupportedException($"Dockerfile line {instruction.Line}: COPY {flag} is not replayed by this test; teach BuildStageReplay");
        string[] paths = words[flags.Length..];
        if (paths.Length < 2) throw new FormatException($"Dockerfile line {instruction.Line}: COPY needs a source and a destination");
        string[] sources = paths[..^1];
        string destination = paths[^1];
        bool intoDirectory = destination.EndsWith('/') || sources.Length > 1;
        foreach (string source in sources)
        {
            if (source.IndexOfAny(['*', '?', '[']) >= 0 || source.Split('/').Contains(".."))
                throw new NotSupportedException($"Dockerfile line {instruction.Line}: COPY source '{source}' (a wildcard or '..') is not replayed by this test; teach BuildStageReplay");
            string relative = source.Trim('/');
            string from = Path.Combine(contextRoot, relative);
            if (Directory.Exists(from) && (relative.Length == 0 || !_ignore.Excludes(relative)))
                CopyDirectory(from, relative, HostPath(destination));
            else if (File.Exists(from) && !_ignore.Excludes(relative))
                CopyFile(from, intoDirectory ? Path.Combine(HostPath(destination), Path.GetFileName(from)) : HostPath(destination));
            else
                throw new FileNotFoundException($"Dockerfile line {instruction.Line}: COPY {source}: not in the build context (missing, or left out by .dockerignore); docker build fails here too");
        }
    }

    /// <summary>Copies the directory's contents (not the directory itself, as COPY does), leaving out what .dockerignore excludes.</summary>
    private void CopyDirectory(string from, string relative, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string entry in Directory.EnumerateFileSystemEntries(from))
        {
            string name = Path.GetFileName(entry);
            string entryRelative = relative.Length == 0 ? name : $"{relative}/{name}";
            if (_ignore.Excludes(entryRelative)) continue;
            if (Directory.Exists(entry)) CopyDirectory(entry, entryRelative, Path.Combine(to, name));
            else CopyFile(entry, Path.Combine(to, name));
        }
    }

    private void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
    }

    private bool RunCommands(DockerInstruction instruction)
    {
        if (instruction.Arguments.StartsWith('['))
            throw new NotSupportedException($"Dockerfile line {instruction.Line}: RUN in JSON form is not replayed by this test; teach BuildStageReplay");
        foreach (string command in instruction.Arguments.Split("&&", StringSplitOptions.TrimEntries))
        {
            if (command.IndexOfAny(['"', '\'', ';', '|', '$', '`', '>', '<', '(']) >= 0)
                throw new NotSupportedException($"Dockerfile line {instruction.Line}: '{command}' needs a shell; this test replays plain dotnet commands only; teach BuildStageReplay");
            string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is not ["dotnet", ..])
                throw new NotSupportedException($"Dockerfile line {instruction.Line}: '{command}' is not a dotnet command; this test replays dotnet commands only; teach BuildStageReplay");
            string[] arguments = words[1..].Select(w => w.StartsWith('/') ? HostPath(w) : w).ToArray();
            if (!RunDotnet(arguments)) return false;
        }
        return true;
    }

    private bool RunDotnet(string[] arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            // Nothing may outlive the command: a reused MSBuild node or compiler server would hold the output pipes
            // open (and keep running after the test), as it never does in a container that ends with its RUN.
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1",
            ["UseSharedCompilation"] = "false",
        };
        using ChildProcess dotnet = ChildProcess.Start(TestEnvironment.DotnetHost, arguments, environment, HostPath(_workdir));
        bool exited = dotnet.WaitForExit(commandTimeout);
        _transcript.Append($"$ {dotnet.CommandLine}\n{dotnet.Transcript}");
        if (!exited)
        {
            _transcript.Append($"(did not finish within {commandTimeout.TotalSeconds} s)\n");
            return false;
        }
        _transcript.Append($"(exit {dotnet.ExitCode})\n");
        return dotnet.ExitCode == 0;
    }
}
