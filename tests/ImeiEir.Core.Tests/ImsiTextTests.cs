using System.Text;

namespace ImeiEir.Core.Tests;

public class ImsiTextTests
{
    [TestCase("40101", true)]
    [TestCase("401011234567890", true)]
    [TestCase("4010", false)]
    [TestCase("4010112345678901", false)]
    [TestCase("", false)]
    [TestCase("40101123456789x", false)]
    [TestCase("imsi-401011234567890", false)]
    [TestCase("٤٠١٠١١٢٣٤٥", false)]
    public void An_IMSI_is_5_to_15_ASCII_digits(string text, bool valid)
    {
        Assert.That(ImsiText.IsValidImsi(text.AsSpan()), Is.EqualTo(valid));
        Assert.That(ImsiText.IsValidImsi(Encoding.UTF8.GetBytes(text)), Is.EqualTo(valid));
    }

    [Test]
    public void TryCopyToUtf8_copies_a_valid_IMSI_only()
    {
        Span<byte> buffer = stackalloc byte[ImsiText.MaxDigits];
        Assert.That(ImsiText.TryCopyToUtf8("401011234567890", buffer, out int written), Is.True);
        Assert.That(Encoding.ASCII.GetString(buffer[..written]), Is.EqualTo("401011234567890"));
        Assert.That(ImsiText.TryCopyToUtf8("40101x", buffer, out written), Is.False);
        Assert.That(written, Is.Zero);
        Assert.That(ImsiText.TryCopyToUtf8("401011234567890", buffer[..10], out written), Is.False);
    }
}
