using System.Text;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Registry;

/// <summary>
/// A push's comment (why: "police report 77/2026"), recorded with every change of the push and shown in history:
/// the <see cref="Header"/> header, the UTF-8 text percent-encoded (RFC 3986), at most
/// <see cref="Attribution.MaxCommentLength"/> characters once decoded, no control characters. Absent or blank: none.
/// </summary>
internal static class PushComment
{
    public const string Header = "ImeiEir-Comment";

    public static bool TryRead(HttpRequest request, out string? comment, out string? problem)
    {
        comment = null;
        problem = null;
        string encoded = request.Headers[Header].ToString();
        if (encoded.Length == 0) return true;
        if (encoded.Length > Attribution.MaxCommentLength * 12)
        {
            problem = $"the {Header} header is over {Attribution.MaxCommentLength} characters";
            return false;
        }
        string decoded;
        try
        {
            byte[] bytes = Encoding.ASCII.GetBytes(encoded);
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(System.Web.HttpUtility.UrlDecodeToBytes(bytes));
        }
        catch (DecoderFallbackException)
        {
            problem = $"the {Header} header is not percent-encoded UTF-8";
            return false;
        }
        if (decoded.Length > Attribution.MaxCommentLength)
        {
            problem = $"the {Header} header is {decoded.Length} characters once decoded, over {Attribution.MaxCommentLength}";
            return false;
        }
        if (decoded.Any(char.IsControl))
        {
            problem = $"the {Header} header holds a control character (a line break?); a comment is one line";
            return false;
        }
        comment = decoded.Trim() is { Length: > 0 } text ? text : null;
        return true;
    }
}
