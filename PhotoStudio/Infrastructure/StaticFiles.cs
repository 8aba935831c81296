using Microsoft.Extensions.FileProviders;

namespace PhotoStudio.Infrastructure;

/// <summary>Finds <c>wwwroot/</c>, which sits at the repository root beside the project, or beside the published binaries.</summary>
public static class StaticFiles
{
    public static void UseRepositoryWebRoot(IWebHostEnvironment env)
    {
        string[] candidates =
        [
            Path.Combine(env.ContentRootPath, "..", "wwwroot"),
            Path.Combine(env.ContentRootPath, "wwwroot"),
            Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        ];
        var root = candidates.Select(Path.GetFullPath).FirstOrDefault(p => File.Exists(Path.Combine(p, "css", "site.css")));
        if (root is null) return;
        env.WebRootPath = root;
        env.WebRootFileProvider = new PhysicalFileProvider(root);
    }
}
