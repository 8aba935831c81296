using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace PhotoStudio.Features.Shared;

/// <summary>A one-off message shown after a redirect (kind is a Bootstrap alert colour).</summary>
public record Flash(string Kind, string Message)
{
    private const string Key = "flash";

    public static void Success(ITempDataDictionary tempData, string message) => tempData[Key] = $"success|{message}";
    public static void Info(ITempDataDictionary tempData, string message) => tempData[Key] = $"info|{message}";
    public static void Error(ITempDataDictionary tempData, string message) => tempData[Key] = $"danger|{message}";

    public static Flash? Read(ITempDataDictionary tempData) =>
        tempData[Key] is string value && value.Split('|', 2) is [var kind, var message] ? new Flash(kind, message) : null;
}
