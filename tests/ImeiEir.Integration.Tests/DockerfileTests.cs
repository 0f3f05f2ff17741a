using System.Text.RegularExpressions;
using ImeiEir.Integration.Tests.Docker;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// The Dockerfile builds, checked without a container engine: its build stage is replayed with the local SDK in a
/// scratch directory holding only what its COPY lines copy, so a project it does not copy (a new one under src/)
/// fails here as it would fail <c>docker build</c>. And the README's <c>docker run</c> publishes what the image exposes.
/// </summary>
[TestFixture]
public sealed partial class DockerfileTests
{
    private static readonly string s_repository = FindRepository();

    [Test]
    public void The_build_stage_restores_and_publishes_from_only_what_it_copies()
    {
        var dockerfile = Dockerfile.Parse(File.ReadAllText(Path.Combine(s_repository, "Dockerfile")));
        using var scratch = new TempDirectory();
        var replay = new BuildStageReplay(s_repository, scratch.Path, commandTimeout: TimeSpan.FromMinutes(8));

        Assert.That(replay.Run(dockerfile.Stage("build")), Is.True, replay.Transcript);

        // The runtime stage starts what the build stage published: every /app/....dll it names must be there.
        string runtimeStage = string.Join('\n', dockerfile.Stages[^1].Select(i => i.Arguments));
        string[] dlls = AppDll().Matches(runtimeStage).Select(m => m.Value).Distinct().ToArray();
        Assert.That(dlls, Is.Not.Empty, "the runtime stage names the published imeieir.dll");
        Assert.Multiple(() =>
        {
            foreach (string dll in dlls)
                Assert.That(File.Exists(replay.HostPath(dll)), Is.True, $"{dll}, which the runtime stage runs, was published\n{replay.Transcript}");
        });
    }

    [Test]
    public void The_README_and_the_Dockerfile_docker_run_publish_every_port_the_image_exposes()
    {
        string dockerfileText = File.ReadAllText(Path.Combine(s_repository, "Dockerfile"));
        var dockerfile = Dockerfile.Parse(dockerfileText);
        string[] exposed = dockerfile.Stages[^1].Where(i => i.Keyword == "EXPOSE")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.That(exposed, Is.Not.Empty, "the image exposes its ports");

        string readme = File.ReadAllText(Path.Combine(s_repository, "README.md"));
        string[] runs = DockerRun().Matches(readme + "\n" + dockerfileText).Select(m => m.Value).ToArray();
        Assert.That(runs, Is.Not.Empty, "the README says how to run the image");
        Assert.Multiple(() =>
        {
            foreach (string run in runs)
                foreach (string port in exposed)
                    Assert.That(run, Does.Contain($"-p {port}:{port}"), $"'{run}' publishes {port}");
        });
    }

    [GeneratedRegex(@"/app/[\w./-]+\.dll")]
    private static partial Regex AppDll();

    // From "docker run" to the image name (the last word of the command, before "`" or the end of the line).
    [GeneratedRegex(@"docker run [^`\n]*")]
    private static partial Regex DockerRun();

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "ImeiEir.sln")) && File.Exists(Path.Combine(directory.FullName, "Dockerfile")))
                return directory.FullName;
        throw new InvalidOperationException($"no ImeiEir.sln with a Dockerfile above {AppContext.BaseDirectory}");
    }
}
