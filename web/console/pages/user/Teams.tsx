import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../../shared/api/client.js';
import { ErrorNotice } from '../../../shared/components/Notice.js';
import { money, useApi } from '../../api.js';

/** The teams the user is a member of, each with its members, their roles and permissions (issue 17). */
export function UserTeams(props: { userId: number }) {
  const { t } = useTranslation();
  const api = useApi();
  const teams = useQuery({
    queryKey: ['user', props.userId, 'teams'],
    queryFn: () => unwrap(api.GET('/admin/teams', { params: { query: { user_id: props.userId, page: 1, page_size: 100 } } })),
  });
  const list = teams.data?.list ?? [];
  return (
    <section className="panel" aria-labelledby="teams">
      <h2 id="teams">{t('user.teams', { count: teams.data?.total ?? 0 })}</h2>
      <ErrorNotice error={teams.error} />
      {list.map((team) => (
        <table className="plain" key={team.team_id}>
          <caption>
            {t('user.team', {
              name: team.name,
              id: team.team_id,
              balance: money(Math.round(team.balance * 100)),
            })}{' '}
            — {team.status === 1 ? t('status.active') : t('status.disabled')}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('users.email')}</th>
              <th scope="col">{t('user.teamRole')}</th>
              <th scope="col">{t('user.permissions')}</th>
            </tr>
          </thead>
          <tbody>
            {team.members.map((m) => (
              <tr key={m.user_id}>
                <td>
                  {m.email} (#{m.user_id})
                </td>
                <td>{m.role}</td>
                <td>{m.permissions.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {teams.data && list.length === 0 && <p className="muted">{t('common.none')}</p>}
    </section>
  );
}
