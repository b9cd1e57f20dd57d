import {get, post} from '../api.js';
import {clear, errorBox, field, h, setTitle} from '../dom.js';

export function signInPage(main, onSignedIn) {
  setTitle('Sign in');
  const username = h('input', {name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none'});
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const message = h('div', {id: 'signin-message'});
  const submit = h('button', {type: 'submit', id: 'signin-submit'}, 'Sign in');
  const form = h('form', {class: 'card narrow', id: 'signin', onsubmit: async (event) => {
    event.preventDefault();
    clear(message);
    submit.disabled = true;
    try {
      const me = await post('/auth/login', {username: username.value.trim(), password: password.value});
      password.value = '';
      onSignedIn(me);
    } catch (e) {
      clear(message, errorBox(e));
      password.select();
    } finally {
      submit.disabled = false;
    }
  }},
  h('h1', {}, 'Sign in'),
  h('p', {}, 'Sign in with the user name and password your federation administrator gave you.'),
  field('User name', username), field('Password', password), message, submit);
  clear(main, form);
  username.focus();
  // An organisation's identity provider, when the manager is set up for OpenID Connect.
  get('/auth/config').then((config) => {
    if (config && config.oidc && config.login_url) {
      form.append(h('p', {class: 'oidc'}, 'or ', h('a', {href: config.login_url, id: 'signin-oidc'}, 'sign in with your organisation’s account')));
    }
  }).catch((e) => console.warn('GET /auth/config:', e.message));
}
