using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.TagHelpers;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace PhotoStudio.Features.Admin;

/// <summary>
/// Bootstrap's invalid state on a form field bound with <c>asp-for</c>: <c>is-invalid</c> and <c>aria-invalid</c> when
/// it has an error, and always <c>aria-describedby</c> pointing at its message, <c>{id}-error</c>.
/// </summary>
[HtmlTargetElement("input", Attributes = "asp-for")]
[HtmlTargetElement("textarea", Attributes = "asp-for")]
public class FieldTagHelper : TagHelper
{
    [HtmlAttributeName("asp-for")]
    public required Microsoft.AspNetCore.Mvc.ViewFeatures.ModelExpression For { get; set; }

    [ViewContext, HtmlAttributeNotBound]
    public required ViewContext ViewContext { get; set; }

    /// <summary>After MVC's own input tag helpers, which set the id.</summary>
    public override int Order => 1000;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        if (output.Attributes["type"]?.Value?.ToString() is "hidden") return;
        var name = ViewContext.ViewData.TemplateInfo.GetFullHtmlFieldName(For.Name);
        var id = output.Attributes["id"]?.Value?.ToString() ?? TagBuilder.CreateSanitizedId(name, "_");
        if (!output.Attributes.ContainsName("aria-describedby"))
            output.Attributes.SetAttribute("aria-describedby", $"{id}-error");
        if (ViewContext.ModelState.TryGetValue(name, out var entry) && entry.Errors.Count > 0)
        {
            output.AddClass("is-invalid", HtmlEncoder.Default);
            output.Attributes.SetAttribute("aria-invalid", "true");
        }
    }
}
