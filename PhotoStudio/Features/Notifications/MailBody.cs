using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace PhotoStudio.Features.Notifications;

/// <summary>
/// One email's body, written as HTML and as plain text side by side, so the two alternatives always say the same.
/// </summary>
/// <remarks>
/// <para>A small C# builder rather than Razor views: every message has the same few parts (a heading, paragraphs,
/// a table of facts, a button, small print, the studio's footer) and only the words differ, which come from
/// <see cref="MailResource"/>. Razor would need an <c>ActionContext</c>, a view engine and a fake request inside a
/// background job, and would still need a second template per message for the plain text. Here every value,
/// whatever its source (a client's name or notes, a service name typed by an admin), is HTML-encoded in one place
/// (<see cref="Encode"/>): no part takes raw HTML.</para>
/// <para>Inline styles only (many mail programs drop <c>&lt;style&gt;</c>), and no background or text colour except
/// the button's: a mail program in dark mode shows the text in its own colours on its own background, with
/// <c>color-scheme: light dark</c> saying that this is fine. The greys and the button's blue read on both.</para>
/// </remarks>
public sealed class MailBody
{
    // Cyrillic stays as characters, as on the site (Program.cs sets the same for views).
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private const string Rule = "#999999";
    private readonly StringBuilder html = new();
    private readonly StringBuilder text = new();

    public static string Encode(string value) => Html.Encode(value);

    public MailBody Heading(string value)
    {
        html.Append($"""<h1 style="font-size:22px;line-height:1.3;margin:0 0 16px;font-weight:600;">{Encode(value)}</h1>""").Append('\n');
        text.Append(value).Append("\n\n");
        return this;
    }

    public MailBody Paragraph(string value)
    {
        html.Append($"""<p style="margin:0 0 16px;">{Encode(value)}</p>""").Append('\n');
        text.Append(value).Append("\n\n");
        return this;
    }

    /// <summary>Label and value rows; rows whose value is empty are left out.</summary>
    public MailBody Facts(IEnumerable<(string Label, string? Value)> rows)
    {
        var shown = rows.Where(r => !string.IsNullOrWhiteSpace(r.Value)).ToList();
        if (shown.Count == 0) return this;
        html.Append("""<table style="border-collapse:collapse;width:100%;margin:0 0 20px;">""").Append('\n');
        foreach (var (label, value) in shown)
        {
            html.Append($"""<tr><th scope="row" style="text-align:left;vertical-align:top;font-weight:600;padding:6px 16px 6px 0;border-bottom:1px solid {Rule};">{Encode(label)}</th>""")
                .Append($"""<td style="vertical-align:top;padding:6px 0;border-bottom:1px solid {Rule};">{Lines(value!)}</td></tr>""").Append('\n');
            text.Append(label).Append(": ").Append(value!.ReplaceLineEndings("\n  ")).Append('\n');
        }
        html.Append("</table>\n");
        text.Append('\n');
        return this;
    }

    /// <summary>The message's main link, as a button (the address is also written out in the plain text).</summary>
    public MailBody Button(string label, string url)
    {
        html.Append($"""<p style="margin:0 0 20px;"><a href="{Encode(url)}" style="display:inline-block;padding:11px 20px;border-radius:6px;background-color:#1a5fb4;color:#ffffff;text-decoration:none;font-weight:600;">{Encode(label)}</a></p>""")
            .Append('\n');
        text.Append(label).Append(":\n").Append(url).Append("\n\n");
        return this;
    }

    /// <summary>A further link in a sentence of its own.</summary>
    public MailBody Link(string label, string url)
    {
        html.Append($"""<p style="margin:0 0 16px;"><a href="{Encode(url)}">{Encode(label)}</a></p>""").Append('\n');
        text.Append(label).Append(": ").Append(url).Append("\n\n");
        return this;
    }

    /// <summary>Small print under the main part.</summary>
    public MailBody Note(string value)
    {
        html.Append($"""<p style="margin:0 0 16px;font-size:14px;">{Encode(value)}</p>""").Append('\n');
        text.Append(value).Append("\n\n");
        return this;
    }

    /// <summary>The studio's name, address and contacts, under a rule (the "-- " signature line in plain text).</summary>
    public MailBody Footer(string name, string address, string phone, string email, string because)
    {
        html.Append($"""<div style="margin-top:28px;padding-top:12px;border-top:1px solid {Rule};font-size:14px;">""")
            .Append($"""<p style="margin:0 0 4px;font-weight:600;">{Encode(name)}</p>""");
        if (address.Length > 0) html.Append($"""<p style="margin:0 0 4px;">{Encode(address)}</p>""");
        var contacts = new List<string>();
        if (phone.Length > 0) contacts.Add($"""<a href="tel:{Encode(Dialable(phone))}">{Encode(phone)}</a>""");
        if (email.Length > 0) contacts.Add($"""<a href="mailto:{Encode(email)}">{Encode(email)}</a>""");
        if (contacts.Count > 0) html.Append($"""<p style="margin:0 0 4px;">{string.Join(" · ", contacts)}</p>""");
        html.Append($"""<p style="margin:12px 0 0;font-size:13px;">{Encode(because)}</p></div>""").Append('\n');

        text.Append("-- \n").Append(name).Append('\n');
        if (address.Length > 0) text.Append(address).Append('\n');
        var plain = new[] { phone, email }.Where(c => c.Length > 0).ToList();
        if (plain.Count > 0) text.Append(string.Join(" · ", plain)).Append('\n');
        text.Append('\n').Append(because).Append('\n');
        return this;
    }

    /// <summary>The whole HTML document.</summary>
    public string ToHtml(string language, string title) => $"""
        <!DOCTYPE html>
        <html lang="{Encode(language)}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <meta name="supported-color-schemes" content="light dark">
        <title>{Encode(title)}</title>
        </head>
        <body style="margin:0;padding:0;">
        <div style="max-width:600px;margin:0 auto;padding:24px 16px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;">
        {html}</div>
        </body>
        </html>
        """;

    public string ToText() => text.ToString();

    private static string Lines(string value) => string.Join("<br>", value.ReplaceLineEndings("\n").Split('\n').Select(Encode));

    private static string Dialable(string phone) => string.Concat(phone.Where(c => char.IsAsciiDigit(c) || c == '+'));
}
