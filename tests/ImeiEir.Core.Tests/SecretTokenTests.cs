namespace ImeiEir.Core.Tests;

/// <summary>The processes' own secrets: made once with mode 0600, read back (tightened when found wider), compared by value.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SecretTokenTests
{
    [Test]
    public void A_token_is_made_once_owner_only_and_read_back()
    {
        string directory = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string path = Path.Combine(directory, "x.token");
            string made = SecretToken.ReadOrCreate(path, out bool generated);
            string again = SecretToken.ReadOrCreate(path, out bool generatedAgain);
            Assert.Multiple(() =>
            {
                Assert.That((generated, generatedAgain), Is.EqualTo((true, false)));
                Assert.That(again, Is.EqualTo(made).And.Length.EqualTo(43));
                Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
                Assert.That(SecretToken.Matches(made, again), Is.True);
                Assert.That(SecretToken.Matches(made.AsSpan(0, made.Length - 1), again), Is.False);
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void A_readable_token_file_is_tightened_and_a_short_one_refused()
    {
        string directory = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string wide = Path.Combine(directory, "wide.token");
            File.WriteAllText(wide, "0123456789abcdef-token\n");
            File.SetUnixFileMode(wide, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            string shortOne = Path.Combine(directory, "short.token");
            File.WriteAllText(shortOne, "tooshort\n");
            Assert.Multiple(() =>
            {
                Assert.That(SecretToken.ReadOrCreate(wide, out _), Is.EqualTo("0123456789abcdef-token"));
                Assert.That(File.GetUnixFileMode(wide), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
                Assert.That(() => SecretToken.ReadOrCreate(shortOne, out _), Throws.TypeOf<InvalidDataException>().With.Message.Contains("short.token"));
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
