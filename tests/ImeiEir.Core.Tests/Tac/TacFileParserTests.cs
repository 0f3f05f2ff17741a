using ImeiEir.Core.Tac;

namespace ImeiEir.Core.Tests.Tac;

public class TacFileParserTests
{
    private static TacParseResult Parse(string text) => TacFileParser.Parse(new StringReader(text));

    [Test]
    public void The_projects_own_columns_are_read()
    {
        TacParseResult result = Parse("tac,manufacturer,model,device_type\n35209900,Apple,iPhone 15,Smartphone\n01234567,Quectel,EC25,Module\n");
        Assert.That(result.Succeeded, Is.True, string.Join("; ", result.Errors));
        Assert.That(result.Entries, Is.EqualTo(new[]
        {
            new TacEntry(35209900, "Apple", "iPhone 15", "Smartphone"),
            new TacEntry(1234567, "Quectel", "EC25", "Module"),
        }));
    }

    [Test]
    public void The_GSMA_export_columns_are_read_in_any_order_with_pipes_and_extra_columns()
    {
        const string gsma = "TAC|Marketing Name|Manufacturer (or) Applicant|Bands|Brand Name|Model Name|Operating System|Device Type\n"
                          + "35332811|Galaxy S4|Samsung Korea|GSM 900|Samsung|GT-I9505|Android|Smartphone\n"
                          + "86000012|BG96 module|Quectel Wireless|LTE|Quectel|BG96|None|IoT Device\n";
        TacParseResult result = Parse(gsma);
        Assert.That(result.Succeeded, Is.True, string.Join("; ", result.Errors));
        // Brand Name beats Manufacturer (or) Applicant, Model Name beats Marketing Name.
        Assert.That(result.Entries, Is.EqualTo(new[]
        {
            new TacEntry(35332811, "Samsung", "GT-I9505", "Smartphone"),
            new TacEntry(86000012, "Quectel", "BG96", "IoT Device"),
        }));
    }

    [Test]
    public void Equipment_type_and_marketing_name_stand_in_when_the_others_are_missing()
    {
        TacParseResult result = Parse("TAC;Manufacturer (or) Applicant;Marketing Name;Equipment Type\n35332811;Samsung Korea;Galaxy S4;Smartphone\n");
        Assert.That(result.Entries.Single(), Is.EqualTo(new TacEntry(35332811, "Samsung Korea", "Galaxy S4", "Smartphone")));
    }

    [Test]
    public void Quoted_fields_keep_their_delimiters_and_quotes()
    {
        TacParseResult result = Parse("tac,manufacturer,model,device_type\n35209900,\"Apple, Inc.\",\"iPhone \"\"15\"\"\",Smartphone\n");
        Assert.That(result.Entries.Single(), Is.EqualTo(new TacEntry(35209900, "Apple, Inc.", "iPhone \"15\"", "Smartphone")));
    }

    [Test]
    public void Bad_lines_are_reported_with_their_numbers_and_reasons_and_nothing_is_kept()
    {
        TacParseResult result = Parse("tac,manufacturer,model,device_type\n"
            + "35209900,Apple,iPhone 15,Smartphone\n"   // 2: good
            + "3520990,Apple,iPhone,Smartphone\n"       // 3: 7 digits
            + "\n"                                      // 4: blank, skipped
            + "35209900,Apple,Again,Smartphone\n"       // 5: repeats line 2
            + "12345678,OnlyTwo\n"                      // 6: too few fields
            + "12345679,\"unclosed,x,Phone\n");         // 7: quote not closed
        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Entries, Is.Empty, "all or nothing");
            Assert.That(result.ErrorCount, Is.EqualTo(4));
            Assert.That(result.Errors.Select(e => e.Line), Is.EqualTo(new long[] { 3, 5, 6, 7 }));
            Assert.That(result.Errors[0].Reason, Does.Contain("'3520990' is not 8 digits"));
            Assert.That(result.Errors[1].Reason, Does.Contain("already on line 2"));
            Assert.That(result.Errors[2].Reason, Does.Contain("has 2 fields"));
            Assert.That(result.Errors[3].Reason, Does.Contain("not closed"));
        });
    }

    [Test]
    public void A_header_without_a_device_type_is_refused_on_line_1_naming_the_column()
    {
        TacParseResult result = Parse("tac,manufacturer,model\n35209900,Apple,iPhone\n");
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Errors.Single().Line, Is.EqualTo(1));
        Assert.That(result.Errors.Single().Reason, Does.Contain("device_type"));
    }

    [Test]
    public void An_empty_file_is_refused() =>
        Assert.That(Parse("").Succeeded, Is.False);

    [Test]
    public void What_the_writer_writes_the_parser_reads_back_unchanged()
    {
        TacEntry[] entries =
        [
            new(1, "A, B", "Q\"uote", "Module"),
            new(99_999_999, "", "", ""),
            new(35_209_900, "Apple", "iPhone 15", "Smartphone"),
        ];
        var text = new StringWriter();
        TacFileWriter.Write(text, entries);
        TacParseResult result = Parse(text.ToString());
        Assert.That(result.Succeeded, Is.True, string.Join("; ", result.Errors));
        Assert.That(result.Entries, Is.EqualTo(entries.OrderBy(e => e.Tac)));
    }
}
