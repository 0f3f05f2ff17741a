using System.CommandLine;
using ImeiEir.Core;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl backup --out FILE</c>: an online backup of the registry (admin token), consistent as of one sequence,
/// taken while pushes go on. Written to FILE.partial, checked whole (header, length, trailer), flushed to disk and only
/// then renamed to FILE, so FILE is always a complete backup. Prints the sequence it holds.
/// </summary>
internal static class BackupCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "The backup file to write (replaced only once the new backup is whole)", Required = true };
        Option<string> url = RegistryClient.UrlOption();
        Option<string?> token = RegistryClient.TokenOption();
        Option<string> tokenFile = RegistryClient.TokenFileOption();
        var command = new Command("backup", "Back the registry up (its change log as of one sequence) while it keeps working; restore with imeieir --Registry:RestoreFrom=FILE")
        {
            output, url, token, tokenFile,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(output)!, parse.GetValue(url)!, parse.GetValue(token), parse.GetValue(tokenFile)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo output, string url, string? token, string tokenFile, CancellationToken ct)
    {
        using RegistryClient? client = RegistryClient.Create(url, token, tokenFile);
        if (client is null)
            return 1;
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/backup");
        (HttpResponseMessage? response, int exit) = await client.SendAsync(request, ct);
        if (response is null)
            return exit;
        string partial = output.FullName + ".partial";
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"eirctl: the registry refused the backup ({(int)response.StatusCode}): {await RegistryClient.DetailAsync(response, ct)}");
                return RegistryClient.Failed;
            }
            try
            {
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                {
                    await (await response.Content.ReadAsStreamAsync(ct)).CopyToAsync(file, ct);
                    file.Flush(flushToDisk: true);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                File.Delete(partial);
                Console.Error.WriteLine($"eirctl: the backup was cut ({e.Message}); nothing written to {output.FullName}");
                return RegistryClient.Unreachable;
            }
        }

        if (Check(partial) is { } problem)
        {
            File.Delete(partial);
            Console.Error.WriteLine($"eirctl: the backup is not whole ({problem}); nothing written to {output.FullName}");
            return RegistryClient.Failed;
        }
        File.Move(partial, output.FullName, overwrite: true);
        using var check = new FileStream(output.FullName, FileMode.Open, FileAccess.Read);
        var header = new byte[Math.Min(BackupFormat.MaxHeaderSize, check.Length)];
        check.ReadExactly(header);
        BackupFormat.TryReadHeader(header, out ulong sequence, out RegistryGeneration generation, out _);
        Console.WriteLine($"Backup written to {output.FullName}: {check.Length} bytes, registry generation {generation}");
        Console.WriteLine($"It holds the registry as of sequence {sequence}");
        return 0;
    }

    /// <summary>Why <paramref name="path"/> is not a whole backup; null when it is.</summary>
    private static string? Check(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        if (file.Length < BackupFormat.HeaderSize + BackupFormat.TrailerSize) return $"{file.Length} bytes";
        var header = new byte[Math.Min(BackupFormat.MaxHeaderSize, file.Length)];
        file.ReadExactly(header);
        if (!BackupFormat.TryReadHeader(header, out BackupFormat.Header read)) return "no backup header";
        ulong sequence = read.Sequence;
        if (file.Length != read.Length) return $"{file.Length} bytes, where a backup of {sequence} changes has {read.Length}";
        var trailer = new byte[BackupFormat.TrailerSize];
        file.Seek(-BackupFormat.TrailerSize, SeekOrigin.End);
        file.ReadExactly(trailer);
        return BackupFormat.IsTrailerOf(trailer, sequence) ? null : "no trailer";
    }
}
