/// <reference path="../../src/harness/window.d.ts" />
