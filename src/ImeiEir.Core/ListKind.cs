namespace ImeiEir.Core;

/// <summary>The registry list an IMEI is on. <see cref="None"/> means "no record".</summary>
public enum ListKind : byte
{
    None = 0,
    White = 1,
    Grey = 2,
    Black = 3,
}
