using System.Text;
using ImeiEir.Core;
using ImeiEir.Core.Tac;

namespace ImeiEir.Registry;

/// <summary>
/// The TAC database in a backup: one section, <see cref="SectionName"/>, holding the document's version, a line feed
/// and the document as imported. A restore saves it under the same version, so nodes that hold it keep it (their
/// ETag still matches) and the others fetch it as from the old registry.
/// </summary>
internal static class TacBackup
{
    public const string SectionName = "tac";

    /// <summary>The current document as a section; null when none was imported.</summary>
    public static BackupSection? Capture(TacDirectory directory)
    {
        // An import may replace the file between finding and reading it (the old version is deleted): look again.
        for (int attempt = 1; ; attempt++)
        {
            if (directory.Current() is not { } current) return null;
            try
            {
                byte[] document = File.ReadAllBytes(current.File);
                return new BackupSection(SectionName, [.. Encoding.ASCII.GetBytes(current.Version + "\n"), .. document]);
            }
            catch (FileNotFoundException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Saves the TAC section of <paramref name="sections"/>, if any, into <paramref name="directory"/>; returns its version.</summary>
    /// <exception cref="InvalidDataException">The section is not a version line and a document.</exception>
    public static string? Restore(TacDirectory directory, IEnumerable<BackupSection> sections, string backupFile)
    {
        if (sections.FirstOrDefault(s => s.Name == SectionName) is not { } section) return null;
        int newline = Array.IndexOf(section.Content, (byte)'\n');
        string? version = newline > 0 ? Encoding.ASCII.GetString(section.Content, 0, newline) : null;
        if (!TacDirectory.TryParseVersion(version, out _))
            throw new InvalidDataException($"{backupFile} is damaged: its TAC database section does not begin with a version");
        directory.Save(version!, section.Content.AsSpan(newline + 1));
        return version;
    }
}
