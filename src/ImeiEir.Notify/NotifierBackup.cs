using ImeiEir.Core;
using ImeiEir.Notify.Delivery;
using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Pairs;
using ImeiEir.Notify.Storage;
using ImeiEir.Notify.Subscribers;

namespace ImeiEir.Notify;

/// <summary>
/// The notifier's state in a registry backup (<see cref="BackupFormat"/> sections named <c>notify/&lt;file&gt;</c>):
/// the outbox journal (every notice, its key, state and text), the sighting pairs journal, the subscriber directory
/// and the generated delivery-report token. They are copied under the locks their writers take, the outbox first:
/// a directory import that lands between the copies then finds its notices still parked in the copy, and they are
/// released when the restored outbox opens, so nothing is lost. A notice being sent at that moment is restored as
/// Sending and sent again, as after a crash (at most one duplicate); a notice sent before is restored as sent and is
/// not sent again, and its key keeps a repeated event from making it anew.
/// </summary>
public static class NotifierBackup
{
    public const string SectionPrefix = "notify/";

    private static readonly string[] s_files =
        [NoticeOutbox.JournalFileName, SightingPairs.JournalFileName, SubscriberDirectory.FileName, DlrTokens.FileName];

    /// <summary>The notifier's state as backup sections.</summary>
    public static IReadOnlyList<BackupSection> Capture(Notifier notifier)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        var sections = new List<BackupSection>
        {
            new(SectionPrefix + NoticeOutbox.JournalFileName, notifier.Outbox.CopyJournal()),
            new(SectionPrefix + SightingPairs.JournalFileName, notifier.Pairs.CopyJournal()),
        };
        if (notifier.Subscribers.CopyFile() is { } directory)
            sections.Add(new BackupSection(SectionPrefix + SubscriberDirectory.FileName, directory));
        // A configured Notify:DlrToken is the operator's to configure again; a generated one is only here.
        string token = Path.Combine(notifier.Options.DataDirectory, DlrTokens.FileName);
        if (notifier.Options.DlrToken is null && File.Exists(token))
            sections.Add(new BackupSection(SectionPrefix + DlrTokens.FileName, File.ReadAllBytes(token)));
        return sections;
    }

    /// <summary>
    /// Writes the notifier's sections of <paramref name="sections"/> into <paramref name="dataDirectory"/> before the
    /// notifier opens it; returns how many. Each file is written to a temporary name, synced and renamed, mode 0600.
    /// </summary>
    /// <exception cref="InvalidOperationException">The directory already holds notifier state (nothing is overwritten).</exception>
    /// <exception cref="InvalidDataException">A section names a file the notifier does not keep.</exception>
    public static int Restore(IEnumerable<BackupSection> sections, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var ours = sections.Where(s => s.Name.StartsWith(SectionPrefix, StringComparison.Ordinal)).ToList();
        foreach (BackupSection section in ours)
        {
            string file = section.Name[SectionPrefix.Length..];
            if (!s_files.Contains(file))
                throw new InvalidDataException($"the backup's section {section.Name} is not a file the notifier keeps");
            if (File.Exists(Path.Combine(dataDirectory, file)))
                throw new InvalidOperationException($"{Path.Combine(dataDirectory, file)} already exists; restore into a new, empty data directory");
        }
        if (ours.Count == 0) return 0;
        Directory.CreateDirectory(dataDirectory);
        foreach (BackupSection section in ours)
        {
            string path = Path.Combine(dataDirectory, section.Name[SectionPrefix.Length..]);
            DurableFile.ReplaceAsync(path, stream => stream.WriteAsync(section.Content).AsTask()).GetAwaiter().GetResult();
        }
        return ours.Count;
    }
}
