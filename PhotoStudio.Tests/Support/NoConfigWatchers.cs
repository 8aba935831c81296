using System.Runtime.CompilerServices;

namespace PhotoStudio.Tests.Support;

internal static class NoConfigWatchers
{
    /// <summary>
    /// The apps of a test run never reload appsettings on change: each one's file watcher would take one of the
    /// 128 inotify instances a Linux user has, and suites running side by side ran out of them. Set before any app
    /// starts (the second app process inherits it).
    /// </summary>
    [ModuleInitializer]
    internal static void Apply() => Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
}
