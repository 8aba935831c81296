namespace PhotoStudio.Infrastructure;

/// <summary>
/// Absolute links that leave the site in messages and on screens (employee set-up links, clients' manage links):
/// built from the studio's public address (<c>PHOTOSTUDIO_PUBLIC_URL</c>), never from the Host header a client sends.
/// </summary>
/// <remarks>
/// Without a public address (Development, Testing) a link uses the request's own host, but only a host named in
/// <c>AllowedHosts</c>; otherwise the link stays relative rather than point anywhere a forged header says.
/// </remarks>
public sealed class PublicLinks(Uri? publicUrl, IReadOnlyList<string> allowedHosts)
{
    public const string Variable = "PHOTOSTUDIO_PUBLIC_URL";
    /// <summary>The same setting under a configuration-style name (appsettings.json, <c>PublicUrl</c> variable).</summary>
    public const string Key = "PublicUrl";

    public Uri? PublicUrl => publicUrl;

    /// <summary>
    /// Reads and checks the public address. Only Development and Testing may run without one; elsewhere the app
    /// refuses to start, since every set-up and manage link would otherwise depend on the request.
    /// </summary>
    public static PublicLinks FromConfiguration(IConfiguration configuration, IHostEnvironment environment)
    {
        var value = configuration[Variable] is { Length: > 0 } v ? v : configuration[Key];
        var hosts = (configuration["AllowedHosts"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (string.IsNullOrWhiteSpace(value))
        {
            if (environment.IsDevelopment() || environment.IsEnvironment("Testing")) return new PublicLinks(null, hosts);
            throw new InvalidOperationException(
                $"{Variable} is not set. Set it to the studio's public address, e.g. https://studio.example.com: set-up and " +
                "manage links are built from it, never from the request's Host header.");
        }
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new InvalidOperationException(
                $"{Variable} must be an http or https address without query or fragment, e.g. https://studio.example.com (it is \"{value}\").");
        return new PublicLinks(uri, hosts);
    }

    /// <summary>The absolute link to a local path (<c>/my/…</c>): on the public address when one is set.</summary>
    public string Absolute(HttpRequest request, string path)
    {
        if (publicUrl is not null) return publicUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + path;
        return IsAllowed(request.Host.Host) ? $"{request.Scheme}://{request.Host}{request.PathBase}{path}" : path;
    }

    /// <summary>A host named in AllowedHosts, exactly or by a <c>*.domain</c> pattern; "*" alone vouches for nothing.</summary>
    private bool IsAllowed(string host) =>
        host.Length > 0 && allowedHosts.Any(a => string.Equals(a, host, StringComparison.OrdinalIgnoreCase)
            || (a.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(a[1..], StringComparison.OrdinalIgnoreCase)));
}
