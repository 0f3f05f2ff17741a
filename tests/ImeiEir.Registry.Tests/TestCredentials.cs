using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary>The tokens file as <c>eirctl token add</c> edits it, for the tests that sign in with named credentials.</summary>
internal static class TestCredentials
{
    /// <summary>Adds a credential to the tokens file at <paramref name="path"/> and returns its token.</summary>
    public static string Add(string path, string name, CredentialRole role)
    {
        List<Credential> credentials = File.Exists(path) ? [.. CredentialsFile.Parse(path, File.ReadAllText(path))] : [];
        string token = CredentialsFile.NewToken();
        credentials.Add(new Credential(name, role, CredentialsFile.HashToken(token), DateTimeOffset.UtcNow));
        CredentialsFile.Write(path, credentials);
        return token;
    }
}
