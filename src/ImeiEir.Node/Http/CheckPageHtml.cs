using System.Text;

namespace ImeiEir.Node.Http;

/// <summary>
/// The check page's HTML: one self-contained document (inline CSS, no script, no external resource, so it works
/// offline and behind any proxy), sized for a phone (viewport meta, one column). Everything that came from the
/// request or the TAC database is HTML-escaped here, and only here.
/// </summary>
internal static class CheckPageHtml
{
    private const string Style = """
        body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d1f23}
        main{max-width:34rem;margin:0 auto;padding:1rem}
        nav{text-align:right;font-size:.95rem}nav a,nav strong{margin-left:.8rem}
        h1{font-size:1.5rem;margin:.6rem 0 1rem}
        label{display:block;font-weight:600;margin-bottom:.35rem}
        input{box-sizing:border-box;width:100%;font-size:1.25rem;padding:.6rem;border:1px solid #9aa1ab;border-radius:.4rem;letter-spacing:.05em}
        button{margin-top:.7rem;width:100%;font-size:1.1rem;padding:.7rem;border:0;border-radius:.4rem;background:#1f5fbf;color:#fff}
        .hint{color:#5b6270;font-size:.9rem}
        .result{margin-top:1.2rem;padding:1rem;border-radius:.5rem;border-left:.45rem solid #8a919c;background:#fff}
        .white{border-color:#1e8e3e}.grey{border-color:#c98a00}.black{border-color:#c5221f}.error{border-color:#c5221f}
        .result p{margin:0 0 .6rem}dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem}dt{color:#5b6270}dd{margin:0;word-break:break-all}
        """;

    private static readonly (string Code, string Name)[] Languages = [("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")];

    /// <summary>The page: the form (with <paramref name="imei"/> filled in), then <paramref name="result"/> if any.</summary>
    public static string Render(string language, string? imei, CheckPageResult? result)
    {
        CheckPageTexts texts = CheckPageTexts.For(language);
        var html = new StringBuilder(4096);
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(language).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(texts.Title)).Append("</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n<main>\n<nav>");
        foreach ((string code, string name) in Languages)
        {
            if (code == language)
            {
                html.Append("<strong>").Append(name).Append("</strong>");
                continue;
            }
            string href = "/check?lang=" + code + (string.IsNullOrEmpty(imei) ? "" : "&imei=" + Uri.EscapeDataString(imei));
            html.Append("<a lang=\"").Append(code).Append("\" href=\"").Append(E(href)).Append("\">").Append(name).Append("</a>");
        }
        html.Append("</nav>\n<h1>").Append(E(texts.Title)).Append("</h1>\n")
            .Append("<form method=\"get\" action=\"/check\">\n<label for=\"imei\">").Append(E(texts.Prompt)).Append("</label>\n")
            .Append("<input id=\"imei\" name=\"imei\" inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"40\" required value=\"")
            .Append(E(imei ?? "")).Append("\">\n<input type=\"hidden\" name=\"lang\" value=\"").Append(language).Append("\">\n")
            .Append("<button type=\"submit\">").Append(E(texts.Button)).Append("</button>\n</form>\n")
            .Append("<p class=\"hint\">").Append(E(texts.Hint)).Append("</p>\n");
        if (result is not null) AppendResult(html, texts, result);
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendResult(StringBuilder html, CheckPageTexts texts, CheckPageResult result)
    {
        html.Append("<section id=\"result\" class=\"result ").Append(result.Css).Append("\" data-verdict=\"").Append(result.Css).Append("\">\n")
            .Append("<p id=\"verdict\">").Append(E(result.Message)).Append("</p>\n");
        if (result.Imei is not null)
        {
            html.Append("<dl>\n<dt>").Append(E(texts.ImeiLabel)).Append("</dt><dd id=\"checked-imei\">").Append(E(result.Imei)).Append("</dd>\n");
            if (result.Manufacturer is not null)
                html.Append("<dt>").Append(E(texts.Manufacturer)).Append("</dt><dd id=\"manufacturer\">").Append(E(result.Manufacturer)).Append("</dd>\n");
            if (result.Model is not null)
                html.Append("<dt>").Append(E(texts.Model)).Append("</dt><dd id=\"model\">").Append(E(result.Model)).Append("</dd>\n");
            html.Append("</dl>\n");
        }
        html.Append("</section>\n");
    }

    /// <summary>
    /// Escapes the five characters that can end a text or an attribute value. Everything else is written as itself
    /// (the page is UTF-8), so Cyrillic and Kazakh letters and «» stay readable in the source too.
    /// </summary>
    internal static string E(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': escaped.Append("&amp;"); break;
                case '<': escaped.Append("&lt;"); break;
                case '>': escaped.Append("&gt;"); break;
                case '"': escaped.Append("&quot;"); break;
                case '\'': escaped.Append("&#39;"); break;
                default: escaped.Append(c); break;
            }
        }
        return escaped.ToString();
    }
}

/// <summary>
/// What the page shows under the form: <see cref="Css"/> is white, grey, black, unknown (not on a list) or error;
/// <see cref="Imei"/> and the device are set for a looked-up IMEI.
/// </summary>
internal sealed record CheckPageResult(string Css, string Message, string? Imei = null, string? Manufacturer = null, string? Model = null);
