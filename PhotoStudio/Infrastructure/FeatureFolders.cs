using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Razor;

namespace PhotoStudio.Infrastructure;

/// <summary>
/// Views live beside their controller: a controller in namespace <c>PhotoStudio.Features.Account</c> finds its
/// views in <c>/Features/Account/</c>, whatever the controller is called. A feature may hold areas of its own
/// (<c>PhotoStudio.Features.Admin.Catalogue</c> → <c>/Features/Admin/Catalogue/</c>); a view not found there is looked
/// for in each enclosing folder (<c>/Features/Admin/</c> holds the partials all admin areas share), then in
/// <c>/Features/Shared/</c>.
/// </summary>
public sealed class FeatureFolders : IViewLocationExpander
{
    private const string Key = "feature";
    private const string Root = "PhotoStudio.Features.";

    public static void Configure(RazorViewEngineOptions o)
    {
        o.ViewLocationExpanders.Add(new FeatureFolders());
        o.ViewLocationFormats.Clear();
        o.ViewLocationFormats.Add("/Features/{feature}/{0}.cshtml");
        o.ViewLocationFormats.Add("/Features/Shared/{0}.cshtml");
    }

    public void PopulateValues(ViewLocationExpanderContext context)
    {
        if (context.ActionContext.ActionDescriptor is ControllerActionDescriptor action)
            context.Values[Key] = Folder(action.ControllerTypeInfo.Namespace) ?? action.ControllerName;
    }

    public IEnumerable<string> ExpandViewLocations(ViewLocationExpanderContext context, IEnumerable<string> locations) =>
        context.Values.TryGetValue(Key, out var feature) && feature is not null
            ? locations.SelectMany(l => l.Contains("{feature}") ? Enclosing(feature).Select(f => l.Replace("{feature}", f)) : [l])
            : locations.Where(l => !l.Contains("{feature}"));

    /// <summary>"PhotoStudio.Features.Admin.Catalogue" → "Admin/Catalogue"; null outside the feature folders.</summary>
    public static string? Folder(string? ns) =>
        ns is not null && ns.StartsWith(Root, StringComparison.Ordinal) ? ns[Root.Length..].Replace('.', '/') : null;

    /// <summary>"Admin/Catalogue", then "Admin": the feature's own folder first, then each one enclosing it.</summary>
    public static IEnumerable<string> Enclosing(string folder)
    {
        for (var f = folder; f.Length > 0; f = f.Contains('/') ? f[..f.LastIndexOf('/')] : "")
            yield return f;
    }
}
