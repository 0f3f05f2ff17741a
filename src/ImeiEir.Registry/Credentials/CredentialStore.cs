using System.Security.Cryptography;
using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// The named credentials in force (<see cref="CredentialsFile"/>), reloaded when the file changes: every lookup
/// first stats the file (one syscall, on registry API requests only, never a node's lookup path), so a credential
/// revoked by <c>eirctl token revoke</c> is refused from the very next request, without a restart or a watcher
/// that could miss an event. A malformed file at start-up stops the start; on reload the last good set stays and
/// a warning names the file and line.
/// </summary>
internal sealed class CredentialStore
{
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly object _reload = new();
    private volatile Loaded _current;

    private sealed record Loaded(Credential[] Credentials, FileStamp Stamp);

    private readonly record struct FileStamp(bool Exists, DateTime WrittenUtc, long Length);

    private CredentialStore(string path, ILogger logger, Loaded loaded)
    {
        _path = path;
        _logger = logger;
        _current = loaded;
    }

    /// <summary>The file the credentials come from.</summary>
    public string Path => _path;

    /// <summary>Loads <paramref name="path"/> (a missing file is an empty set: only the default tokens).</summary>
    /// <exception cref="TokensFileException">The file is malformed (the message names the file and line).</exception>
    public static CredentialStore Open(string path, ILogger logger)
    {
        FileStamp stamp = Stat(path);
        Credential[] credentials;
        try
        {
            credentials = stamp.Exists ? [.. CredentialsFile.Parse(path, File.ReadAllText(path))] : [];
        }
        catch (InvalidDataException e)
        {
            throw new TokensFileException($"Registry:TokensFile: {e.Message}", e);
        }
        if (stamp.Exists) RegistryLog.CredentialsLoaded(logger, path, credentials.Length);
        return new CredentialStore(path, logger, new Loaded(credentials, stamp));
    }

    /// <summary>The credentials in force now (reloading first when the file changed).</summary>
    public IReadOnlyList<Credential> Current
    {
        get
        {
            Refresh();
            return _current.Credentials;
        }
    }

    /// <summary>
    /// The credential whose token is <paramref name="token"/>, or null. Every credential's hash is compared, in
    /// constant time, whichever matches, so timing tells nothing about which or how much.
    /// </summary>
    public Credential? Find(ReadOnlySpan<char> token)
    {
        Refresh();
        Span<byte> hash = stackalloc byte[32];
        CredentialsFile.HashToken(token, hash);
        Credential? found = null;
        foreach (Credential credential in _current.Credentials)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, credential.TokenHash)) found = credential;
        }
        return found;
    }

    private void Refresh()
    {
        FileStamp stamp = Stat(_path);
        if (stamp == _current.Stamp) return;
        lock (_reload)
        {
            if (stamp == _current.Stamp) return;
            try
            {
                Credential[] credentials = stamp.Exists ? [.. CredentialsFile.Parse(_path, File.ReadAllText(_path))] : [];
                _current = new Loaded(credentials, stamp);
                RegistryLog.CredentialsLoaded(_logger, _path, credentials.Length);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                // Keep the last good set, but remember this file's stamp so the warning is logged once per change.
                _current = _current with { Stamp = stamp };
                RegistryLog.CredentialsReloadFailed(_logger, e.Message);
            }
        }
    }

    private static FileStamp Stat(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(true, info.LastWriteTimeUtc, info.Length) : default;
    }
}
