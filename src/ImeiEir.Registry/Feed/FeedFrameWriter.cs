using System.IO.Pipelines;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>Writes feed frames straight into the response pipe: binary <see cref="FeedFormat"/> frames, or NDJSON lines.</summary>
internal sealed class FeedFrameWriter
{
    private readonly PipeWriter _body;
    private readonly Utf8JsonWriter? _json;
    private readonly RegimeCalendar _calendar;

    public FeedFrameWriter(PipeWriter body, bool ndjson, RegimeCalendar calendar)
    {
        _body = body;
        _calendar = calendar;
        _json = ndjson ? new Utf8JsonWriter(body) : null;
    }

    public void Heartbeat(ulong head, long nowMs)
    {
        if (_json is null)
        {
            FeedFormat.WriteHeartbeat(head, nowMs, _body.GetSpan(FeedFormat.HeartbeatFrameSize));
            _body.Advance(FeedFormat.HeartbeatFrameSize);
            return;
        }
        _json.Reset(_body);
        _json.WriteStartObject();
        _json.WriteString("type", "heartbeat");
        _json.WriteNumber("head", head);
        _json.WriteString("time", ChangeJson.Time(nowMs));
        _json.WriteEndObject();
        EndLine();
    }

    public void Change(in Change change)
    {
        if (_json is null)
        {
            FeedFormat.WriteChange(change, _body.GetSpan(FeedFormat.ChangeFrameSize));
            _body.Advance(FeedFormat.ChangeFrameSize);
            return;
        }
        _json.Reset(_body);
        _json.WriteStartObject();
        _json.WriteString("type", "change");
        _json.WriteNumber("sequence", change.Sequence);
        _json.WriteString("imei", change.Imei.ToString());
        ChangeJson.WriteFields(_json, change, _calendar);
        _json.WriteEndObject();
        EndLine();
    }

    private void EndLine()
    {
        _json!.Flush();
        _body.GetSpan(1)[0] = (byte)'\n';
        _body.Advance(1);
    }
}
