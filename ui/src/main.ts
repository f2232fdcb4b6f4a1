// Entry of the production bundle: mounts the app shell.
import { mount } from 'svelte';
import App from './App.svelte';
import './styles.css';
import './controls.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
export default mount(App, { target });
