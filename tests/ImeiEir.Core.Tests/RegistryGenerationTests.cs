namespace ImeiEir.Core.Tests;

public class RegistryGenerationTests
{
    [Test]
    public void A_generation_reads_back_from_its_text_and_its_bytes()
    {
        RegistryGeneration generation = RegistryGeneration.NewRandom();
        var bytes = new byte[RegistryGeneration.Size];
        generation.Write(bytes);
        Assert.Multiple(() =>
        {
            Assert.That(generation.IsNone, Is.False);
            Assert.That(generation.ToString(), Has.Length.EqualTo(32).And.Match("^[0-9a-f]{32}$"));
            Assert.That(RegistryGeneration.TryParse(generation.ToString(), out RegistryGeneration parsed) && parsed == generation);
            Assert.That(RegistryGeneration.TryParse(generation.ToString().ToUpperInvariant(), out RegistryGeneration upper) && upper == generation);
            Assert.That(RegistryGeneration.Read(bytes), Is.EqualTo(generation));
            Assert.That(Convert.ToHexStringLower(bytes), Is.EqualTo(generation.ToString()), "the bytes read as the text");
            Assert.That(RegistryGeneration.NewRandom(), Is.Not.EqualTo(generation));
        });
    }

    [TestCase("")]
    [TestCase("0123456789abcdef0123456789abcde")]
    [TestCase("0123456789abcdef0123456789abcdef0")]
    [TestCase("0123456789abcdef0123456789abcdeg")]
    [TestCase("+123456789abcdef0123456789abcdef")]
    [TestCase(" 123456789abcdef0123456789abcdef")]
    public void Anything_but_32_hex_digits_is_not_a_generation(string text)
    {
        Assert.That(RegistryGeneration.TryParse(text, out _), Is.False);
    }

    [Test]
    public void The_generation_file_keeps_a_generation_or_none_and_names_itself_when_damaged()
    {
        string directory = Path.Combine(Path.GetTempPath(), "imeieir-generation-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(directory, "generation");
            Assert.That(RegistryGenerationFile.Read(path), Is.Null);
            RegistryGeneration made = RegistryGenerationFile.ReadOrCreate(path, out bool created);
            Assert.That(created, Is.True);
            Assert.That(RegistryGenerationFile.ReadOrCreate(path, out created), Is.EqualTo(made));
            Assert.That(created, Is.False);
            RegistryGenerationFile.Write(path, RegistryGeneration.None);
            Assert.That(RegistryGenerationFile.Read(path), Is.EqualTo(RegistryGeneration.None));
            File.WriteAllText(path, "garbage\n");
            Assert.That(() => RegistryGenerationFile.Read(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains(path));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
