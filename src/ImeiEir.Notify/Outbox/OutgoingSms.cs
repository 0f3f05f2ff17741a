namespace ImeiEir.Notify.Outbox;

/// <summary>One SMS to hand to Kannel: the notice's key (for the dlr-url), number, text, and which attempt this is.</summary>
internal readonly record struct OutgoingSms(string Key, string Msisdn, string Text, int Attempt);
