namespace ImeiEir.Integration.Tests;
