namespace ImeiEir.Core.Tests;
