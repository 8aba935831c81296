using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Clients;

/// <summary>
/// The texts that identify one client (names, email addresses and their parts, phone numbers and their digits) and
/// how to take them out of audit values. A value is replaced where it stands as a whole (not inside a longer word
/// or number), whatever its case: "Anna" goes from "Anna's session" but "Annabelle" stays.
/// </summary>
public sealed class PersonalValues
{
    /// <summary>The anonymous marker that replaces personal data wherever it stood.</summary>
    public const string Marker = "[erased]";

    /// <summary>
    /// Fields whose values are personal in an entry about the client or one of their rows: these are replaced
    /// whole, whatever they hold. In any other entry only the client's own values are replaced.
    /// </summary>
    public static readonly IReadOnlySet<string> PersonalFields = new HashSet<string>
    {
        "Name", "Email", "Phone", "PhoneDigits", "SearchText", "Notes", "Tags", "ContactName", "ContactPhone", "ClientNotes", "InternalNotes",
        "Text", "Reason", "Recipient", "Subject", "LastError",
    };

    /// <summary>
    /// Mail providers whose domain says nothing about a person: their domain stays in other people's values. Any other
    /// domain (a company's, a family's) is taken out too, unless another client or a staff account uses it.
    /// </summary>
    public static readonly IReadOnlySet<string> PublicMailDomains = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.de", "yahoo.co.uk", "ymail.com", "outlook.com", "hotmail.com",
        "hotmail.de", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net", "gmx.com",
        "web.de", "t-online.de", "freenet.de", "posteo.de", "mailbox.org", "proton.me", "protonmail.com", "mail.com",
        "zoho.com", "yandex.ru", "yandex.com", "ya.ru", "mail.ru", "inbox.ru", "list.ru", "bk.ru", "rambler.ru",
    };

    private readonly Regex? pattern;

    public PersonalValues(IEnumerable<string> values)
    {
        Values = [.. values.Select(v => v.Trim()).Where(v => v.Length >= 2 && v != Marker)
            .Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(v => v.Length)];
        // Longest first, so an address goes whole before its local part could leave "[erased]@domain".
        pattern = Values.Count == 0 ? null
            : new Regex($@"(?<![\p{{L}}\p{{N}}])(?:{string.Join("|", Values.Select(Regex.Escape))})(?![\p{{L}}\p{{N}}])",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));
    }

    public IReadOnlyList<string> Values { get; }

    /// <summary>
    /// The values of one client: each name, address and phone as given, and what can be told from them: an address's
    /// local part (when <see cref="Distinctive"/>) and its domain (when <paramref name="ownDomain"/> says it is theirs), a phone's digits (6 or more).
    /// </summary>
    public static PersonalValues Of(IEnumerable<string> names, IEnumerable<string> emails, IEnumerable<string> phones, Func<string, bool> ownDomain)
    {
        var values = new List<string>(names);
        foreach (var email in emails.Select(e => e.Trim()).Where(e => e.Contains('@')))
        {
            values.Add(email);
            var (local, domain) = (email[..email.LastIndexOf('@')], email[(email.LastIndexOf('@') + 1)..]);
            if (Distinctive(local)) values.Add(local);
            if (domain.Contains('.') && ownDomain(domain)) values.Add(domain);
        }
        foreach (var phone in phones.Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            if (phone.Length >= 5) values.Add(phone);
            if (Digits(phone) is { Length: >= 6 } digits) values.Add(digits);
        }
        return new PersonalValues(values);
    }

    /// <summary>
    /// A local part worth looking for on its own: "anna.berg", "a.k7" or "zorvathq", not a bare first name such as "anna",
    /// which would take every other Anna out of the audit with it.
    /// </summary>
    private static bool Distinctive(string local) => local.Length >= 3 && (local.Length >= 8 || !local.All(char.IsLetter));

    public static string Digits(string phone) => new([.. phone.Where(char.IsAsciiDigit)]);

    public static string? DomainOf(string email) => email.LastIndexOf('@') is var at and >= 0 ? email[(at + 1)..].Trim() : null;

    public string Scrub(string text) => pattern is null ? text : pattern.Replace(text, Marker);

    /// <summary>ILIKE patterns that find the values in a jsonb column cast to text (where quotes and backslashes are escaped).</summary>
    public string[] LikePatterns() => [.. Values.Select(v => Like.Containing(JsonText(v)))];

    /// <summary>
    /// Audit changes (<c>{"Field": [old, new]}</c>) without this client's values; in an entry about the client
    /// (<paramref name="about"/>) every <see cref="PersonalFields"/> value is replaced whole. Null when nothing changed.
    /// </summary>
    public string? Rewrite(string json, bool about)
    {
        var root = JsonNode.Parse(json);
        var before = root?.ToJsonString();
        var after = root is JsonObject fields && about
            ? new JsonObject(fields.Select(f => KeyValuePair.Create(f.Key,
                PersonalFields.Contains(f.Key) ? Erased(f.Value) : Clean(f.Value))))
            : Clean(root);
        var text = after?.ToJsonString();
        return text == before ? null : text;
    }

    private JsonNode? Clean(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Clean(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Clean)]),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(Scrub(s)),
        _ => node?.DeepClone(),
    };

    /// <summary>An [old, new] pair with each side that held something replaced by the marker; any other value replaced whole.</summary>
    private static JsonNode? Erased(JsonNode? value) => value switch
    {
        null => null,
        JsonArray pair => new JsonArray([.. pair.Select(side => side is null || Empty(side) ? side?.DeepClone() : JsonValue.Create(Marker))]),
        _ => JsonValue.Create(Marker),
    };

    private static bool Empty(JsonNode side) => side is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0;

    /// <summary>A string as it reads inside jsonb's text form: PostgreSQL escapes quotes, backslashes and control characters only.</summary>
    private static string JsonText(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        return sb.ToString();
    }
}
