using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Diameter.Tests;

/// <summary>
/// <see cref="S13Messages.FindImei"/>, the unvalidated locator the connection uses to prefetch lookups: it agrees with
/// the full parser on every ECR that parses, finds nothing in what is not an ECR, and never throws on damaged input.
/// </summary>
public sealed class FindImeiTests
{
    [Test]
    public void It_finds_the_imei_of_a_valid_ecr()
    {
        Assert.That(Encoding.ASCII.GetString(S13Messages.FindImei(EcrBuilder.Valid().Build())), Is.EqualTo(EcrBuilder.Imei));
    }

    [Test]
    public void It_finds_the_imei_after_other_children_of_terminal_information()
    {
        byte[] message = EcrBuilder.Valid()
            .Replace("Terminal-Information", EcrBuilder.TerminalInformation(EcrBuilder.SoftwareVersionAvp, EcrBuilder.ImeiAvp))
            .Build();
        Assert.That(Encoding.ASCII.GetString(S13Messages.FindImei(message)), Is.EqualTo(EcrBuilder.Imei));
    }

    [Test]
    public void An_answer_another_command_or_another_application_has_none()
    {
        var answer = EcrBuilder.Valid();
        answer.Flags = DiameterFlags.Proxiable;
        var watchdog = EcrBuilder.Valid();
        watchdog.Command = CommandCodes.DeviceWatchdog;
        var common = EcrBuilder.Valid();
        common.Application = ApplicationIds.Common;
        Assert.Multiple(() =>
        {
            Assert.That(S13Messages.FindImei(answer.Build()).IsEmpty, Is.True, "answer");
            Assert.That(S13Messages.FindImei(watchdog.Build()).IsEmpty, Is.True, "DWR");
            Assert.That(S13Messages.FindImei(common.Build()).IsEmpty, Is.True, "application 0");
        });
    }

    [Test]
    public void An_ecr_without_terminal_information_or_imei_has_none()
    {
        Assert.That(S13Messages.FindImei(EcrBuilder.Valid().Without("Terminal-Information").Build()).IsEmpty, Is.True);
        Assert.That(S13Messages.FindImei(EcrBuilder.Valid()
            .Replace("Terminal-Information", EcrBuilder.TerminalInformation(EcrBuilder.SoftwareVersionAvp)).Build()).IsEmpty, Is.True);
    }

    [Test]
    public void A_truncated_ecr_has_none_rather_than_a_read_past_its_end()
    {
        byte[] message = EcrBuilder.Valid().Build();
        for (int cut = 0; cut < message.Length; cut++)
            Assert.That(S13Messages.FindImei(message.AsSpan(0, cut)).IsEmpty, Is.True, $"cut at {cut}");
    }

    [FsCheck.NUnit.Property(MaxTest = 500)]
    public Property It_agrees_with_the_full_parser_on_every_ecr_that_parses() => Prop.ForAll(
        Generators.EcrCases.Select(Generators.WriteEcr).ToArbitrary(),
        message =>
        {
            bool parsed = S13Messages.TryParseEcr(message, out EcrView ecr, out _);
            return (parsed && S13Messages.FindImei(message).SequenceEqual(ecr.Imei)).Label($"parsed {parsed}");
        });

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property It_never_throws_and_what_it_finds_is_inside_the_message() => Prop.ForAll(
        Gen.OneOf(Generators.Mutated(Generators.ValidMessages), Generators.BodyMutated(Generators.ValidMessages),
            ArbMap.Default.GeneratorFor<byte[]>()).ToArbitrary(),
        message =>
        {
            ReadOnlySpan<byte> found = S13Messages.FindImei(message);
            return found.IsEmpty || message.AsSpan().Overlaps(found);
        });
}
