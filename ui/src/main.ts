import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { windowPainted } from '$lib/api';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

const app = mount(App, { target });

// The first frame after mounting is on screen once the frame after it starts: tell the
// shell, which times its start-up (Diagnostics shows it).
requestAnimationFrame(() => requestAnimationFrame(() => void windowPainted().catch(() => {})));

export default app;
