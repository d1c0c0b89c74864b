import { useState, type FormEvent } from 'react';
import { Link, navigate, paths } from '../router';

function Finder({
  label,
  name,
  to,
  example,
}: {
  label: string;
  name: string;
  to: (id: string) => string;
  example: string;
}) {
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) navigate(to(value.trim()));
  };
  return (
    <form className="finder" onSubmit={submit}>
      <label>
        {label}
        <input
          name={name}
          value={value}
          placeholder={example}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>
      <button type="submit">Open</button>
    </form>
  );
}

/** Where support, marketing and ops start: find a customer, a device or a campaign. */
export function HomePage() {
  return (
    <>
      <h1>Find</h1>
      <div className="grid">
        <section className="card">
          <Finder label="Customer id" name="customer" to={paths.customer} example="cust-ana" />
          <p className="hint">
            Their single view and journey, devices, and <em>referral network</em>. Demo:{' '}
            <Link to={paths.customer('cust-ana')}>Ana</Link>
          </p>
        </section>
        <section className="card">
          <Finder label="Device serial" name="device" to={paths.device} example="PRN-0001" />
          <p className="hint">
            Its lifecycle, health, telemetry and interventions. Demo:{' '}
            <Link to={paths.device('PRN-0001')}>PRN-0001</Link>
          </p>
        </section>
        <section className="card">
          <Finder
            label="Campaign id"
            name="campaign"
            to={paths.campaign}
            example="camp-lj200-social"
          />
          <p className="hint">
            Its funnel and attribution. Demo:{' '}
            <Link to={paths.campaign('camp-lj200-social')}>LJ-200 social ads</Link>
          </p>
        </section>
        <section className="card">
          <h2>Interventions</h2>
          <p className="hint">
            The <Link to={paths.queue}>queue</Link> of open and escalated interventions, where an
            expert resolves one.
          </p>
        </section>
      </div>
    </>
  );
}
