// Svelte 5 compiles `<script lang="ts">` itself; nothing to preprocess.
export default {};
