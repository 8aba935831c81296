namespace PhotoStudio.Tests.Support;

/// <summary>
/// Node.js tools pinned in a package.json and package-lock.json under ops/: installed with <c>npm ci</c> into the
/// folder's git-ignored node_modules/ when missing (once per test run), and found in node_modules/.bin.
/// </summary>
public static class NpmTools
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>ops/&lt;<paramref name="folder"/>&gt;, with its packages installed.</summary>
    public static async Task<string> InstalledAsync(string folder)
    {
        var path = Path.Combine(TestDatabase.RepositoryRoot, "ops", folder);
        await Installing.WaitAsync();
        try
        {
            // npm ci writes .package-lock.json last, so its presence means a finished install.
            if (File.Exists(Path.Combine(path, "node_modules", ".package-lock.json"))) return path;
            var install = await Commands.RunAsync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], workingDirectory: path);
            if (install.ExitCode != 0) throw new InvalidOperationException($"npm ci in {path} failed:\n{install.Output}");
            return path;
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>The executable a package of <paramref name="folder"/> installs as <paramref name="name"/>.</summary>
    public static string Bin(string folder, string name) => Path.Combine(folder, "node_modules", ".bin", name);
}
