using System.CommandLine;
using System.Globalization;
using ImeiEir.Core;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl token add NAME --role ROLE | revoke NAME | list</c>: the registry's named credentials, kept in its
/// tokens file (<see cref="CredentialsFile"/>), which a running registry reloads on change. Runs on the registry's
/// machine, next to its data directory; the token is printed once, alone on the last line, and never stored.
/// </summary>
internal static class TokenCommand
{
    private const string DefaultDataDir = "data";

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The registry's DataDir (the file is <DataDir>/registry/tokens)", DefaultValueFactory = _ => DefaultDataDir };
        var file = new Option<string?>("--tokens-file") { Description = "The tokens file, when Registry:TokensFile points elsewhere" };

        var name = new Argument<string>("name") { Description = "Who the credential is for: letters, digits, '.', '_', '-'" };
        var role = new Option<string>("--role") { Description = "admin (everything), reader (reads, feed, snapshot) or node (feed, snapshot, sightings)", Required = true };
        var add = new Command("add", "Make a credential and print its token once") { name, role, dataDir, file };
        add.SetAction(parse => Add(parse.GetValue(name)!, parse.GetValue(role)!, PathOf(parse.GetValue(dataDir)!, parse.GetValue(file))));

        var revokedName = new Argument<string>("name") { Description = "The credential to revoke" };
        var revoke = new Command("revoke", "Revoke a credential: refused from the registry's next request") { revokedName, dataDir, file };
        revoke.SetAction(parse => Revoke(parse.GetValue(revokedName)!, PathOf(parse.GetValue(dataDir)!, parse.GetValue(file))));

        var list = new Command("list", "Names, roles and creation times (never tokens)") { dataDir, file };
        list.SetAction(parse => List(PathOf(parse.GetValue(dataDir)!, parse.GetValue(file))));

        return new Command("token", "The registry's named credentials") { add, revoke, list };
    }

    private static string PathOf(string dataDir, string? file) => file ?? Path.Combine(dataDir, "registry", CredentialsFile.FileName);

    private static int Add(string name, string roleText, string path)
    {
        if (CredentialsFile.NameProblem(name) is string problem) return Fail(problem);
        if (!CredentialsFile.TryParseRole(roleText, out CredentialRole role)) return Fail($"--role {roleText}: give admin, reader or node");
        if (!TryLoad(path, out List<Credential> credentials)) return 1;
        if (credentials.Any(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            return Fail($"{name} already has a credential in {path}; revoke it first to replace it");
        string token = CredentialsFile.NewToken();
        credentials.Add(new Credential(name, role, CredentialsFile.HashToken(token), DateTimeOffset.UtcNow));
        CredentialsFile.Write(path, credentials);
        Console.WriteLine($"Credential {name} ({CredentialsFile.RoleName(role)}) added to {path}. Its token, shown only now:");
        Console.WriteLine(token);
        return 0;
    }

    private static int Revoke(string name, string path)
    {
        if (!TryLoad(path, out List<Credential> credentials)) return 1;
        int removed = credentials.RemoveAll(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (removed == 0) return Fail($"no credential named {name} in {path}");
        CredentialsFile.Write(path, credentials);
        Console.WriteLine($"Credential {name} revoked: the registry refuses it from its next request.");
        return 0;
    }

    private static int List(string path)
    {
        if (!TryLoad(path, out List<Credential> credentials)) return 1;
        if (credentials.Count == 0) Console.WriteLine($"No named credentials in {path} (the admin and reader tokens still work).");
        foreach (Credential c in credentials)
            Console.WriteLine($"{c.Name,-24} {CredentialsFile.RoleName(c.Role),-7} created {c.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static bool TryLoad(string path, out List<Credential> credentials)
    {
        credentials = [];
        try
        {
            if (File.Exists(path)) credentials = [.. CredentialsFile.Parse(path, File.ReadAllText(path))];
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"eirctl: {e.Message}");
            return false;
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"eirctl: {message}");
        return 1;
    }
}
