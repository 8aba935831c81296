using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Razor;

namespace PhotoStudio.Infrastructure;

/// <summary>
/// Views live beside their controller: a controller in namespace <c>PhotoStudio.Features.Account</c> finds its
/// views in <c>/Features/Account/</c>, whatever the controller is called; shared ones in <c>/Features/Shared/</c>.
/// </summary>
public sealed class FeatureFolders : IViewLocationExpander
{
    private const string Key = "feature";

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
            context.Values[Key] = action.ControllerTypeInfo.Namespace?.Split('.').Last() ?? action.ControllerName;
    }

    public IEnumerable<string> ExpandViewLocations(ViewLocationExpanderContext context, IEnumerable<string> locations) =>
        context.Values.TryGetValue(Key, out var feature) && feature is not null
            ? locations.Select(l => l.Replace("{feature}", feature))
            : locations.Where(l => !l.Contains("{feature}"));
}
