namespace PhotoStudio.Tests.Support;

/// <summary>
/// Every password, code and key the tests type, written to <c>.data/test-logs/secrets.txt</c>. The app's logs of the
/// whole run go to <c>.data/test-logs/app-*.log</c>; <c>ops/test</c> then searches those logs for each secret.
/// </summary>
public static class TestSecrets
{
    public static readonly string Folder = Path.Combine(TestDatabase.RepositoryRoot, ".data", "test-logs");
    private static readonly object Gate = new();
    private static readonly HashSet<string> Seen = [];

    public static void Remember(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length < 6) return;
        lock (Gate)
        {
            if (!Seen.Add(secret)) return;
            Directory.CreateDirectory(Folder);
            File.AppendAllText(Path.Combine(Folder, "secrets.txt"), secret + "\n");
        }
    }

    public static bool IsSecretField(string name) =>
        name.Contains("Password", StringComparison.OrdinalIgnoreCase) || name.Equals("Code", StringComparison.OrdinalIgnoreCase)
        || name.Contains("Token", StringComparison.OrdinalIgnoreCase);
}
