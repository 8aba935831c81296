using System.Net;
using AngleSharp.Html.Dom;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

/// <summary>What a refused admin form must show, whichever form it is.</summary>
internal static class FieldErrors
{
    /// <summary>A 422 page whose field carries its message next to it (and in the summary) and still holds what was typed.</summary>
    public static async Task<IHtmlDocument> AssertRefusedAsync(HttpResponseMessage response, string field, string value, string message)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        var id = field.Replace('.', '_');
        Assert.Contains(message, page.Single($"#{id}-error").TextContent);
        var input = page.Single($"#{id}");
        Assert.Contains("is-invalid", input.ClassList);
        Assert.Contains($"{id}-error", input.GetAttribute("aria-describedby"));
        Assert.Equal(value, input is IHtmlTextAreaElement area ? area.Value : ((IHtmlInputElement)input).Value);
        Assert.Contains(message, page.Single("#error-summary").TextContent);
        return page;
    }
}
