using ImeiEir.Core;
using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ImeiEir.Registry;

/// <summary>
/// The line-by-line state of <see cref="DeltaParser"/>: splits chunks into lines (a line cut by a chunk boundary
/// is carried in a bounded buffer), refuses binary bodies at the first control byte or invalid UTF-8, reads the
/// CSV header, turns each data line into <see cref="DeltaFields"/> and judges them.
/// </summary>
internal sealed class DeltaLineReader
{
    /// <summary>Bytes that never occur in a text delta: C0 controls other than TAB, LF and CR, and DEL.</summary>
    private static readonly SearchValues<byte> s_controlBytes = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127]);

    private readonly DeltaFormat _format;
    private readonly int _maxLines;
    private readonly byte[] _carry = new byte[DeltaParser.MaxLineBytes];
    private readonly char[] _chars = new char[DeltaParser.MaxLineBytes];
    private int _carryLength;
    private bool _carryOverflow;
    private int _lineNumber;
    private int _dataLines;
    private DeltaBatchFailure? _failure;

    // CSV header: column index of each field, -1 when absent.
    private int[]? _columnOf;
    private int _columnCount;
    private string _header = "";

    private readonly DeltaJudge _judge;

    public DeltaLineReader(DeltaFormat format, int maxLines, RegimeCalendar calendar)
    {
        _format = format;
        _maxLines = maxLines;
        _judge = new DeltaJudge(calendar);
    }

    /// <summary>Consumes a chunk; false once the body has been refused as a whole (stop reading).</summary>
    public bool Feed(ReadOnlySpan<byte> data)
    {
        if (_failure is not null) return false;
        int control = data.IndexOfAny(s_controlBytes);
        if (control >= 0)
        {
            int line = _lineNumber + 1 + data[..control].Count((byte)'\n');
            Fail(DeltaFailureKind.NotText, $"the body is not text: line {line} holds the control byte 0x{data[control]:X2} (binary data?); a delta is UTF-8 {FormatName} text");
            return false;
        }

        while (!data.IsEmpty)
        {
            int newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Carry(data);
                return true;
            }
            if (_carryLength == 0 && !_carryOverflow)
            {
                OnLine(data[..newline], overlong: newline > DeltaParser.MaxLineBytes);
            }
            else
            {
                Carry(data[..newline]);
                OnLine(_carry.AsSpan(0, _carryLength), _carryOverflow);
                _carryLength = 0;
                _carryOverflow = false;
            }
            if (_failure is not null) return false;
            data = data[(newline + 1)..];
        }
        return true;
    }

    /// <summary>The body ended: judge a last line without a newline, and check that there was something.</summary>
    public void Finish()
    {
        if (_failure is not null) return;
        if (_carryLength > 0 || _carryOverflow)
        {
            OnLine(_carry.AsSpan(0, _carryLength), _carryOverflow);
            _carryLength = 0;
            _carryOverflow = false;
        }
        if (_failure is not null) return;
        if (_format == DeltaFormat.Csv && _columnOf is null)
            Fail(DeltaFailureKind.Empty, "the body is empty: a CSV delta starts with a header line such as 'op,imei,list,reason,deadline,new_imei'");
        else if (_dataLines == 0)
            Fail(DeltaFailureKind.Empty, _format == DeltaFormat.Csv
                ? "the delta has a header but no data lines"
                : "the body is empty: an NDJSON delta has one JSON object per line");
    }

    public DeltaBatch ToBatch() => _failure is not null
        ? new DeltaBatch([], [], _failure)
        : _judge.ToBatch();

    private string FormatName => _format == DeltaFormat.Csv ? "CSV" : "NDJSON";

    private void Fail(DeltaFailureKind kind, string detail) => _failure ??= new DeltaBatchFailure(kind, detail);

    private void Carry(ReadOnlySpan<byte> piece)
    {
        if (_carryOverflow) return;
        if (_carryLength + piece.Length > _carry.Length)
        {
            _carryOverflow = true;
            return;
        }
        piece.CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += piece.Length;
    }

    private void OnLine(ReadOnlySpan<byte> line, bool overlong)
    {
        _lineNumber++;
        if (_lineNumber == 1 && line.StartsWith("\uFEFF"u8)) line = line[3..];
        if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
        if (line.Contains((byte)'\r'))
        {
            Fail(DeltaFailureKind.NotText, $"the body is not text: line {_lineNumber} holds a carriage return in the middle of the line");
            return;
        }
        if (!overlong && !Utf8.IsValid(line))
        {
            Fail(DeltaFailureKind.NotText, $"the body is not text: line {_lineNumber} is not valid UTF-8 (binary data?); a delta is UTF-8 {FormatName} text");
            return;
        }

        ReadOnlySpan<byte> trimmed = line.Trim(" \t"u8);
        if (!overlong && (trimmed.IsEmpty || (_format == DeltaFormat.Csv && trimmed[0] == (byte)'#'))) return;

        if (_format == DeltaFormat.Csv && _columnOf is null)
        {
            if (overlong)
                Fail(DeltaFailureKind.BadHeader, $"line {_lineNumber}, the header, is longer than {DeltaParser.MaxLineBytes} bytes");
            else
                ReadHeader(line);
            return;
        }

        if (++_dataLines > _maxLines)
        {
            Fail(DeltaFailureKind.TooManyLines, $"the delta has more than {_maxLines} data lines (Registry:MaxDeltaLines); split it");
            return;
        }
        if (overlong)
        {
            _judge.Reject(_lineNumber, $"the line is longer than {DeltaParser.MaxLineBytes} bytes");
            return;
        }

        if (_format == DeltaFormat.Csv) ReadCsvLine(line);
        else ReadJsonLine(line);
    }

    private void ReadHeader(ReadOnlySpan<byte> line)
    {
        _header = Encoding.UTF8.GetString(line).Trim();
        string[] names = _header.Split(',');
        var columnOf = new int[DeltaFields.Count];
        Array.Fill(columnOf, -1);
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i].Trim().Trim('"').ToLowerInvariant();
            int field = DeltaFields.IndexOf(name);
            if (field < 0)
            {
                bool looksLikeData = name.Length > 0 && char.IsAsciiDigit(name[0]);
                Fail(DeltaFailureKind.BadHeader, looksLikeData
                    ? $"line {_lineNumber} should be the header (for example 'op,imei,list,reason,deadline,new_imei'), found '{Shorten(_header)}'"
                    : $"the header on line {_lineNumber} names an unknown column '{Shorten(name)}': expected {DeltaFields.NameList}");
                return;
            }
            if (columnOf[field] >= 0)
            {
                Fail(DeltaFailureKind.BadHeader, $"the header on line {_lineNumber} names the column '{name}' twice");
                return;
            }
            columnOf[field] = i;
        }
        if (columnOf[DeltaFields.ImeiField] < 0)
        {
            Fail(DeltaFailureKind.BadHeader, $"the header on line {_lineNumber} has no 'imei' column: found '{Shorten(_header)}'");
            return;
        }
        _columnOf = columnOf;
        _columnCount = names.Length;
    }

    private void ReadCsvLine(ReadOnlySpan<byte> line)
    {
        int length = Encoding.UTF8.GetChars(line, _chars);
        ReadOnlySpan<char> text = _chars.AsSpan(0, length);
        int found = text.Count(',') + 1;
        if (found != _columnCount)
        {
            _judge.Reject(_lineNumber, $"expected {_columnCount} columns as in the header ({Shorten(_header)}) but found {found}");
            return;
        }

        var fields = new DeltaFields();
        int column = 0;
        foreach (Range range in text.Split(','))
        {
            int field = Array.IndexOf(_columnOf!, column);
            if (field >= 0) fields.Set(field, Unquote(text[range]));
            column++;
        }
        _judge.Judge(_lineNumber, ref fields);
    }

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1].Trim();
        return value;
    }

    private void ReadJsonLine(ReadOnlySpan<byte> line)
    {
        var fields = new DeltaFields();
        Span<char> chars = _chars;
        int used = 0;
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 2 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                _judge.Reject(_lineNumber, "is not a JSON object: each NDJSON line is one object such as {\"imei\":\"490154203237518\",\"list\":\"white\",\"reason\":\"verified\"}");
                return;
            }
            Span<bool> seen = stackalloc bool[DeltaFields.Count];
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int field = DeltaFields.IndexOfUtf8(ref reader);
                string name = field >= 0 ? DeltaFields.Names[field] : reader.GetString()!;
                if (field < 0)
                {
                    _judge.Reject(_lineNumber, $"unknown property '{Shorten(name)}': expected {DeltaFields.NameList}");
                    return;
                }
                if (seen[field])
                {
                    _judge.Reject(_lineNumber, $"the property '{name}' appears twice");
                    return;
                }
                seen[field] = true;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.String)
                {
                    _judge.Reject(_lineNumber, $"the property '{name}' must be a string (in quotes), found {Describe(reader.TokenType)}");
                    return;
                }
                int written = reader.CopyString(chars[used..]);
                fields.Set(field, chars.Slice(used, written).Trim());
                used += written;
            }
            if (reader.TokenType != JsonTokenType.EndObject)
            {
                _judge.Reject(_lineNumber, "is not a flat JSON object of string properties");
                return;
            }
            if (reader.Read())
            {
                _judge.Reject(_lineNumber, "has more after the JSON object: one object per line");
                return;
            }
        }
        catch (JsonException e)
        {
            _judge.Reject(_lineNumber, $"is not valid JSON: {FirstSentence(e.Message)}");
            return;
        }
        _judge.Judge(_lineNumber, ref fields);
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => type.ToString(),
    };

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd('.', ' ');
    }

    internal static string Shorten(ReadOnlySpan<char> text) =>
        text.Length <= 60 ? text.ToString() : string.Concat(text[..57], "...");
}
